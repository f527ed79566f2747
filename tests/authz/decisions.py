from tests.authz import FUNDER_STAFF, route

APP = {"app_id": lambda w: w.application.id}
PROGRAM = {"program": "health-2026"}


def _scheduled_release(w) -> int:
    """A release of the world's program, scheduled (so it can be called off)."""
    from grantflow.core.db import db
    from grantflow.decisions.models import SCHEDULED, Release

    release = Release(program_id=w.program.id, outcomes=["award"], status=SCHEDULED,
                      scheduled_for=w.program.closes_at)
    db.session.add(release)
    db.session.commit()
    return release.id


ROUTES = [
    route("decisions.board", PROGRAM, ok=FUNDER_STAFF),
    route("decisions.board_csv", PROGRAM, ok=FUNDER_STAFF),
    route("decisions.decide", APP, ok=FUNDER_STAFF),
    route("decisions.decide", APP, method="POST", ok=FUNDER_STAFF,
          data={"outcome": "decline", "rationale": "Outside this year's focus."}),
    route("decisions.release", PROGRAM, ok=FUNDER_STAFF),
    route("decisions.release", PROGRAM, method="POST", ok=FUNDER_STAFF,
          data={"outcomes": ["award"], "when": "now", "count": "0"}),
    route("decisions.call_off", {**PROGRAM, "release_id": _scheduled_release}, method="POST", ok=FUNDER_STAFF),
]
