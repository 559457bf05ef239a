"""The edge of the process: reading requests, admitting tokens, mapping errors to
responses, and the middleware and transport around the app."""
