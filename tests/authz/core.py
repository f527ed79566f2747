from tests.authz import ALL_USERS, route

ROUTES = [
    route("core.dashboard", ok=ALL_USERS),
]
