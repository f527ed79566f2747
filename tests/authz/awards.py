"""Authorization rows of the awards area (issue 21): the funder's admins and program officers only;
grantees see their payments and reports on their dashboard, reviewers and advisors nothing."""
from __future__ import annotations

import datetime as dt

from tests.authz import FUNDER_STAFF, route

P = {"program": "health-2026"}
FUNDER = {"slug": "riverside"}


def _award(w):
    """w.application awarded $50,000 in two instalments, the second after an interim report."""
    from grantflow.awards import models as M
    from grantflow.core.db import db
    from grantflow.decisions.models import Decision
    from grantflow.feedback.models import INTERIM, ProgressReport

    if getattr(w, "award_ids", None):
        return w.award_ids
    from sqlalchemy import select

    # Other areas' rows may have decided w.application already (one decision per application).
    decision = db.session.execute(select(Decision).where(Decision.application_id == w.application.id)).scalar_one_or_none()
    if decision is None:
        decision = Decision(application_id=w.application.id, program_id=w.program.id)
        db.session.add(decision)
    decision.outcome, decision.amount_cents = "award", 50_000_00
    report = ProgressReport(application_id=w.application.id, kind=INTERIM, due_on=dt.date(2027, 3, 31), measures={})
    db.session.add(report)
    db.session.flush()
    first = M.Instalment(application_id=w.application.id, amount_cents=25_000_00, due_on=dt.date(2026, 1, 15))
    second = M.Instalment(application_id=w.application.id, amount_cents=25_000_00, due_on=dt.date(2027, 4, 30),
                          condition=M.REPORT_ACCEPTED, condition_report_id=report.id)
    db.session.add_all([first, second])
    db.session.commit()
    w.award_ids = {"app": w.application.id, "instalment": first.id, "report": report.id}
    return w.award_ids


def _app_id(w):
    return _award(w)["app"]


def _instalment_id(w):
    return _award(w)["instalment"]


def _report_id(w):
    return _award(w)["report"]


ROUTES = [
    route("awards.award", {"app_id": _app_id}, ok=FUNDER_STAFF),
    route("awards.award", {"app_id": _app_id}, method="POST", ok=FUNDER_STAFF, data={"schedule_h": "part2_1"}),
    route("awards.add_report", {"app_id": _app_id}, method="POST", ok=FUNDER_STAFF,
          data={"kind": "final", "due_on": "2027-12-31"}),
    route("awards.schedule", {"app_id": _app_id}, ok=FUNDER_STAFF),
    route("awards.schedule", {"app_id": _app_id}, method="POST", ok=FUNDER_STAFF,
          data={"rows-0-amount": "1", "rows-0-due_on": "2027-01-01"}),
    route("awards.instalment", {"instalment_id": _instalment_id}, ok=FUNDER_STAFF),
    route("awards.instalment", {"instalment_id": _instalment_id}, method="POST", ok=FUNDER_STAFF,
          data={"action": "hold", "hold-reason": "Waiting for the board's minutes."}),
    route("awards.review_report", {"report_id": _report_id}, ok=FUNDER_STAFF),
    route("awards.review_report", {"report_id": _report_id}, method="POST", ok=FUNDER_STAFF,
          data={"action": "conversation", "talk-held_on": "2026-01-10", "talk-notes": "A call with the director."}),
    route("awards.program_payments", P, ok=FUNDER_STAFF),
    route("awards.program_payments", P, method="POST", ok=FUNDER_STAFF, data={"schedule_h": "part2_3"}),
    route("awards.payments_export", {**P, "fmt": "csv"}, ok=FUNDER_STAFF),
    route("awards.overview_page", FUNDER, ok=FUNDER_STAFF),
    route("awards.schedule_h", FUNDER, ok=FUNDER_STAFF),
    route("awards.schedule_h_payments", {**FUNDER, "category": "part1_7i"}, ok=FUNDER_STAFF),
    route("awards.chna", FUNDER, ok=FUNDER_STAFF),
]
