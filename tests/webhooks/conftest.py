from tests.api.conftest import api, scene  # noqa: F401  (the API helpers, shared)
