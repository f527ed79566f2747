"""Webhooks: the funder's admins only (its program officers too get a 404, as for its people page)."""
from tests.authz import route

F = {"slug": "riverside"}


def _endpoint(w):
    from grantflow.core.db import db
    from grantflow.webhooks import services

    endpoint = services.register(w.funder, url="https://crm.example.org/hooks", events=["application.submitted"])
    db.session.commit()
    return endpoint.id


ROUTES = [
    route("webhooks.endpoints", F, ok={"funder_admin"}),
    route("webhooks.endpoints", F, method="POST", ok={"funder_admin"},
          data={"url": "https://crm.example.org/hooks", "events": ["decision.released"]}),
    route("webhooks.endpoint", {**F, "endpoint_id": _endpoint}, ok={"funder_admin"}),
    route("webhooks.remove", {**F, "endpoint_id": _endpoint}, method="POST", ok={"funder_admin"}),
]
