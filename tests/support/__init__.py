"""Helpers the tests share: sample files, data factories, an API client."""
