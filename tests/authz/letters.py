"""Letters: only the program's funder staff (admin, program officer); anything of another program is a 404."""
from tests.authz import FUNDER_STAFF, route

SLUG = {"program": "health-2026"}


def _decision(w):
    """An award for the world's first application (made once per world)."""
    from sqlalchemy import select

    from grantflow.core.db import db
    from grantflow.decisions.models import Decision

    decision = db.session.execute(select(Decision).where(Decision.application_id == w.application.id)).scalar_one_or_none()
    if decision is None:
        decision = Decision(application_id=w.application.id, program_id=w.program.id, outcome="award",
                            amount_cents=20_000_00)
        db.session.add(decision)
        db.session.commit()
    return decision


def _decision_id(w):
    return _decision(w).id


def _letter_id(w):
    from grantflow.core.db import db
    from grantflow.letters import services

    letter, _ = services.issue(_decision(w))
    db.session.commit()
    return letter.id


def _finished_batch_id(w):
    from grantflow.letters import jobs

    _decision(w)
    batch = jobs.create_batch(w.program)
    jobs.issue_chunk(batch.id, batch.decision_ids)
    return batch.id


ROUTES = [
    route("letters.index", SLUG, ok=FUNDER_STAFF),
    route("letters.edit_template", {**SLUG, "kind": "award"}, ok=FUNDER_STAFF),
    route("letters.edit_template", {**SLUG, "kind": "decline"}, method="POST", ok=FUNDER_STAFF,
          data={"body": "Dear {{ organization }}", "pdf_variant": "pdf/ua-1", "save": "Save"}),
    route("letters.letter", {**SLUG, "decision_id": _decision_id}, ok=FUNDER_STAFF),
    route("letters.preview", {**SLUG, "decision_id": _decision_id}, ok=FUNDER_STAFF),
    route("letters.issue", {**SLUG, "decision_id": _decision_id}, method="POST", ok=FUNDER_STAFF,
          data={"submit": "Issue letter"}),
    route("letters.download", {**SLUG, "decision_id": _decision_id, "letter_id": _letter_id}, ok=FUNDER_STAFF),
    route("letters.start_batch", SLUG, method="POST", ok=FUNDER_STAFF, data={"submit": "Issue all letters"}),
    route("letters.batch", {**SLUG, "batch_id": _finished_batch_id}, ok=FUNDER_STAFF),
    route("letters.batch_status", {**SLUG, "batch_id": _finished_batch_id}, ok=FUNDER_STAFF),
    route("letters.batch_zip", {**SLUG, "batch_id": _finished_batch_id}, ok=FUNDER_STAFF),
]
