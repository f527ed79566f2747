"""The API: every operation with each role's token (anonymous: none). Reads of a program's staff
data, of another organization's application or of someone else's token are 404s, as on the pages."""
from tests.authz import ALL_USERS, FUNDER_STAFF, TEAM, TEAM_EDITORS, api_route, route
from tests.authz.awards import _app_id as _award_id, _instalment_id
from tests.authz.letters import _decision_id, _letter_id

APPLICANTS = {"applicant", "other_applicant"}
P = {"program": "health-2026"}
APP = {"app_id": lambda w: w.application.id}


def _scored_app(w):
    from grantflow.core.db import db
    from grantflow.scoring import engine

    engine.rescore(w.program.id)
    db.session.commit()
    return w.application.id


def _decided_app(w):
    _decision_id(w)
    return w.application.id


def _applicant_token(w):
    from grantflow.api import tokens
    from grantflow.core.db import db

    row, _token = tokens.create(w.users["applicant"], name="Mine", scope="read")
    db.session.commit()
    return row.id


ROUTES = [
    route("api.openapi", public=True),
    route("api.docs", public=True),
    route("api.token_list", ok=ALL_USERS),
    route("api.token_list", method="POST", ok=ALL_USERS, data={"name": "CRM", "scope": "read", "expires": "30"}),
    route("api.revoke_token", {"token_id": _applicant_token}, method="POST", ok={"applicant"}),
    api_route("api_programs.list_programs", ok=ALL_USERS),
    api_route("api_programs.get_program", P, ok=ALL_USERS),
    api_route("api_applications.list_applications", ok=ALL_USERS),
    api_route("api_applications.get_application", APP, ok=TEAM | {"reviewer"} | FUNDER_STAFF),
    # A draft's answers and what it still needs: those who edit it.
    api_route("api_applications.get_answers", APP, ok=TEAM_EDITORS),
    # Staff, reviewers and advisors are no applicant staff: 403.
    # A team's viewer, even with a write token, starts nothing: 403.
    api_route("api_applications.create_application", method="POST", ok=APPLICANTS | {"editor"},
              data={"program": "health-2026"}),
    # The world's application is submitted: its applicant gets a 409, everyone else a 404.
    api_route("api_applications.update_application", APP, method="PATCH", ok=TEAM_EDITORS, data={"title": "New"}),
    api_route("api_applications.submit_application", APP, method="POST", ok=TEAM_EDITORS),
    api_route("api_reviews.list_reviews", ok=ALL_USERS),
    api_route("api_reviews.get_score", {"app_id": _scored_app}, ok=FUNDER_STAFF),
    api_route("api_decisions.list_decisions", P, ok=FUNDER_STAFF),
    api_route("api_decisions.get_decision", {"app_id": _decided_app}, ok=FUNDER_STAFF),
    api_route("api_decisions.list_letters", P, ok=FUNDER_STAFF),
    api_route("api_decisions.download_letter", {**P, "letter_id": _letter_id}, ok=FUNDER_STAFF),
    api_route("api_audit.get_audit", P, ok=FUNDER_STAFF),
    # The world's award is not released: its grantee sees nothing of it yet.
    api_route("api_awards.list_awards", ok=ALL_USERS),
    api_route("api_awards.get_award", {"app_id": _award_id}, ok=FUNDER_STAFF),
    # The first staff member's call pays the instalment, the second's is a 409 (paid already).
    api_route("api_awards.record_payment", {"instalment_id": _instalment_id}, method="POST", ok=FUNDER_STAFF,
              data={"paid_on": "2026-02-01", "method": "ach"}),
]
