"""The REST API (`/api/v1`): personal API tokens, the OpenAPI document and its resources, each
authorized by the same policy rules and served by the same services as the pages."""
