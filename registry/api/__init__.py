"""The JSON API: personal access tokens, the records under /api/v1, and its OpenAPI document."""
