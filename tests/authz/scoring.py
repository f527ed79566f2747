from tests.authz import route

STAFF = {"funder_admin", "program_officer"}
PROGRAM = {"program": "health-2026"}
APP = {"app_id": lambda w: w.application.id}

ROUTES = [
    route("scoring.configure", PROGRAM, ok=STAFF),
    # An empty POST is a form with errors (422) for staff; never data for anyone else.
    route("scoring.configure", PROGRAM, method="POST", ok=STAFF),
    route("scoring.rescore", PROGRAM, method="POST", ok=STAFF),
    route("scoring.results", PROGRAM, ok=STAFF),
    route("scoring.compare", PROGRAM, ok=STAFF),
    route("scoring.breakdown", APP, ok=STAFF),
    route("scoring.whatif", PROGRAM, ok=STAFF),
    route("scoring.whatif", PROGRAM, method="POST", ok=STAFF),
]
