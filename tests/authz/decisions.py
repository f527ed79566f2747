from tests.authz import FUNDER_STAFF, route

APP = {"app_id": lambda w: w.application.id}
PROGRAM = {"program": "health-2026"}

ROUTES = [
    route("decisions.board", PROGRAM, ok=FUNDER_STAFF),
    route("decisions.board_csv", PROGRAM, ok=FUNDER_STAFF),
    route("decisions.decide", APP, ok=FUNDER_STAFF),
    route("decisions.decide", APP, method="POST", ok=FUNDER_STAFF,
          data={"outcome": "decline", "rationale": "Outside this year's focus."}),
    route("decisions.release", PROGRAM, method="POST", ok=FUNDER_STAFF),
]
