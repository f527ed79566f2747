from tests.authz import ALL_USERS, route

ROUTES = [
    route("accounts.register", public=True),
    route("accounts.login", public=True),
    route("accounts.logout", method="POST", public=True),
    route("accounts.reset_request", public=True),
    # An unknown token is a redirect back to the request form, for everybody.
    route("accounts.reset_password", {"token": "not-a-token"}, public=True),
    route("accounts.people", {"slug": "riverside"}, ok={"funder_admin"}),
    route("accounts.accept_invitation", {"token": "not-a-token"}, anonymous="deny"),
]
