"""The JSON API of API.md: routes that decode, call one use case and encode, and the
OpenAPI description."""
