"""The authorization matrix: every route × every role → the expected outcome.

Each area keeps its rows in `tests/authz/<area>.py` as `ROUTES = [route(...), ...]`;
tests/test_authz_matrix.py gathers them all and fails for a registered route with no row.

API rows (`api_route`) call with each role's write token and a JSON body, without cookies; an
anonymous caller has no token (401, counted as "login").

Outcomes: "ok" (allowed: any status but 401/403/404 and not sent to the login page),
"deny" (403 or 404, never data), "login" (an anonymous visitor is sent to the login page).
URL arguments may be values or callables taking the world (see tests.conftest.build_world).
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

USERS = ("applicant", "editor", "viewer", "other_applicant", "funder_admin", "program_officer", "reviewer",
         "other_reviewer", "community_advisor", "other_officer")
# The world's CBO's team: "applicant" is its admin, "editor" and "viewer" have those roles.
TEAM = {"applicant", "editor", "viewer"}
TEAM_EDITORS = {"applicant", "editor"}
ROLES = ("anonymous",) + USERS
FUNDER_STAFF = {"funder_admin", "program_officer"}
ALL_USERS = set(USERS)


@dataclass
class Route:
    endpoint: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str = "GET"
    ok: set[str] = field(default_factory=set)
    anonymous: str = "login"
    data: dict[str, Any] | Callable[[Any], dict] | None = None
    api: bool = False

    def expected(self, role: str) -> str:
        if role == "anonymous":
            return self.anonymous
        return "ok" if role in self.ok else "deny"


def route(endpoint: str, kwargs: dict | None = None, *, method: str = "GET", ok=(), public: bool = False,
          anonymous: str | None = None, data=None) -> Route:
    ok = set(ok)
    if public:
        ok = ALL_USERS | ok
    return Route(endpoint, kwargs or {}, method, ok, anonymous or ("ok" if public else "login"), data)


def api_route(endpoint: str, kwargs: dict | None = None, *, method: str = "GET", ok=(), data=None) -> Route:
    """A row of the API: every user with a token may call it; `ok` are those who get data."""
    return Route(endpoint, kwargs or {}, method, set(ok), "login", data, api=True)


def all_routes() -> list[Route]:
    rows: list[Route] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        rows.extend(getattr(module, "ROUTES", []))
    return rows
