"""Authorization rows of the feedback area (issue 6)."""
from __future__ import annotations

from tests.authz import FUNDER_STAFF, TEAM, TEAM_EDITORS, route

P = {"program": "health-2026"}
FUNDER = {"slug": "riverside"}


def _app_id(w):
    return w.application.id


def _report_id(w):
    from grantflow.core.db import db
    from grantflow.feedback.models import ProgressReport

    import datetime as dt

    report = ProgressReport(application_id=w.application.id, due_on=dt.date(2027, 3, 31), measures={})
    db.session.add(report)
    db.session.commit()
    return report.id


def _entry_id(w):
    from grantflow.core.db import db
    from grantflow.feedback.models import YouSaidWeDid

    entry = YouSaidWeDid(program_id=w.program.id, theme="burden", we_heard="Too long", we_did="Shorter form")
    db.session.add(entry)
    db.session.commit()
    return entry.id


READERS = FUNDER_STAFF | TEAM | {"other_applicant", "reviewer", "other_reviewer", "community_advisor"}

ROUTES = [
    # Feedback to applicants: the applicant, and funder staff previewing it.
    route("feedback.applicant", {"app_id": _app_id}, ok=FUNDER_STAFF | TEAM),
    route("feedback.note", {"app_id": _app_id}, ok=FUNDER_STAFF),
    route("feedback.note", {"app_id": _app_id}, method="POST", ok=FUNDER_STAFF, data={"text": "More detail."}),
    route("feedback.settings", P, ok=FUNDER_STAFF),
    route("feedback.settings", P, method="POST", ok=FUNDER_STAFF, data={"show_criteria": "y"}),
    # The burden survey: the applicant's team answers it (admins and editors; a viewer changes nothing).
    route("feedback.survey", {"app_id": _app_id}, ok=TEAM_EDITORS),
    route("feedback.survey", {"app_id": _app_id}, method="POST", ok=TEAM_EDITORS,
          data={"hours_spent": "12", "burden": "3", "anonymous": "y"}),
    route("feedback.burden", P, ok=FUNDER_STAFF),
    route("feedback.funder_burden", FUNDER, ok=FUNDER_STAFF),
    # Community voice: advisors rank; officers see and adopt.
    route("feedback.advise", FUNDER, ok={"community_advisor"}),
    route("feedback.advise", FUNDER, method="POST", ok={"community_advisor"}),
    route("feedback.community_ranking", P, ok=FUNDER_STAFF),
    route("feedback.adopt_ranking", P, method="POST", ok=FUNDER_STAFF),
    # Check-ins.
    route("feedback.reports", P, ok=FUNDER_STAFF),
    route("feedback.reports", P, method="POST", ok=FUNDER_STAFF, data={"dates": "2027-03-31"}),
    route("feedback.grantee_reports", {"app_id": _app_id}, ok=TEAM),
    route("feedback.report", {"report_id": _report_id}, ok=TEAM_EDITORS),
    route("feedback.report", {"report_id": _report_id}, method="POST", ok=TEAM_EDITORS,
          data={"how_funder_could_help": "Fewer forms."}),
    # You said, we did.
    route("feedback.you_said", P, ok=READERS),
    route("feedback.you_said_edit", P, ok=FUNDER_STAFF),
    route("feedback.you_said_edit", P, method="POST", ok=FUNDER_STAFF,
          data={"theme": "burden", "we_heard": "Too long", "we_did": "Shorter"}),
    route("feedback.you_said_edit", {**P, "entry_id": _entry_id}, ok=FUNDER_STAFF),
    route("feedback.you_said_delete", {**P, "entry_id": _entry_id}, method="POST", ok=FUNDER_STAFF),
    route("feedback.manage", P, ok=FUNDER_STAFF),
]
