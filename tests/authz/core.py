from tests.authz import ALL_USERS, route

ROUTES = [
    route("core.home", public=True),
    route("core.opportunities", public=True),
    route("core.dashboard", ok=ALL_USERS),
]
