from tests.authz import ALL_USERS, route

ROUTES = [
    route("core.dashboard", ok=ALL_USERS),
    # What a load balancer polls: no login, nothing but the checks' names and backends.
    route("core.healthz", public=True),
    route("core.readyz", public=True),
]
