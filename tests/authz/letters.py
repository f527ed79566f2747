"""Letters: only the program's funder staff (admin, program officer); anything of another program is a 404.
The letterhead is the funder admin's; a released decision's letter is also its applicant's (never a
reviewer's)."""
from tests.authz import FUNDER_STAFF, TEAM, TEAM_EDITORS, route

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


def _released_letter_id(w):
    """The letter of a decision released to its applicant (through the real release, with its
    version) a minute ago."""
    from grantflow.core.db import db
    from tests import factories as F

    letter_id = _letter_id(w)
    if _decision(w).released_at is None:
        F.release(w.program)
        db.session.commit()
    return letter_id


def _agreement_id(w):
    """A released award's agreement, signed by the grantee (so every file and step exists)."""
    from grantflow.core.db import db
    from grantflow.letters import agreements

    _released_letter_id(w)
    agreement = agreements.current_agreement(_decision(w).id)
    if agreement is None:
        agreement = agreements.offer(_decision(w), actor_id=None)
        agreements.accept(agreement, w.users["applicant"], consent=True, name="Ana Applicant", title="Director",
                          shown_sha256=agreement.sha256, ip="127.0.0.1")
        db.session.commit()
    return agreement.id


def _app_with_agreement(w):
    _agreement_id(w)
    return w.application.id


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
    route("letters.letterhead", {"slug": "riverside"}, ok={"funder_admin"}),
    route("letters.letterhead", {"slug": "riverside"}, method="POST", ok={"funder_admin"},
          data={"signatory_name": "Dana Whitfield", "signatory_title": "President", "save": "Save letterhead"}),
    route("letters.applicant_download", {"app_id": lambda w: w.application.id, "letter_id": _released_letter_id},
          ok=FUNDER_STAFF | TEAM),
    route("letters.applicant_view", {"app_id": lambda w: w.application.id, "letter_id": _released_letter_id},
          ok=FUNDER_STAFF | TEAM),
    route("letters.offer_agreement", {**SLUG, "decision_id": _decision_id}, method="POST", ok=FUNDER_STAFF,
          data={"submit": "Send"}),
    route("letters.countersign", {**SLUG, "decision_id": lambda w: (_agreement_id(w), _decision_id(w))[1]},
          method="POST", ok=FUNDER_STAFF, data={"consent": "y", "name": "Pat", "title": "Officer", "sign": "x"}),
    # The whole team reads the agreement; only its admins sign or decline it.
    route("letters.agreement_page", {"app_id": _app_with_agreement}, ok=FUNDER_STAFF | TEAM),
    route("letters.sign_agreement", {"app_id": _app_with_agreement}, method="POST", ok={"applicant"},
          data={"consent": "", "name": "", "title": "", "sign": "x"}),
    route("letters.decline_agreement", {"app_id": _app_with_agreement}, method="POST", ok={"applicant"},
          data={"reason": "x", "decline": "x"}),
    route("letters.agreement_file", {"app_id": _app_with_agreement, "agreement_id": _agreement_id,
                                     "version": "signed"}, ok=FUNDER_STAFF | TEAM),
]
