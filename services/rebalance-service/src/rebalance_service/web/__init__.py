"""The web page: routes, the configure form, the results view, charts, templates and
static files."""
