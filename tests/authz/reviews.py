from tests.authz import FUNDER_STAFF, route

APP = {"app_id": lambda w: w.application.id}
PROGRAM = {"program": "health-2026"}

ROUTES = [
    # Only the assigned reviewer reviews; program officers read applications elsewhere.
    route("reviews.review", APP, ok={"reviewer"}),
    route("reviews.review", APP, method="POST", ok={"reviewer"}, data={"save": "Save draft"}),
    route("reviews.declare", APP, method="POST", ok={"reviewer"}, data={"answer": "none"}),
    route("reviews.assignments", PROGRAM, ok=FUNDER_STAFF),
    route("reviews.review_progress", PROGRAM, ok=FUNDER_STAFF),
    route("reviews.auto_assign", PROGRAM, method="POST", ok=FUNDER_STAFF),
    route("reviews.assign_reviewers", APP, ok=FUNDER_STAFF),
    route("reviews.assign_reviewers", APP, method="POST", ok=FUNDER_STAFF,
          data=lambda w: {"reviewers": [w.users["other_reviewer"].id]}),
    route("reviews.unassign", {"assignment_id": lambda w: w.assignment.id}, method="POST", ok=FUNDER_STAFF),
]
