from tests.authz import FUNDER_STAFF, TEAM, TEAM_EDITORS, route

# The applicant's hidden terms: its team's admins and editors; the preview: the whole team.
APPLICANT = TEAM_EDITORS
REVIEWERS = {"reviewer", "other_reviewer"}


def _blind(w):
    """A blind program of the world's funder, with an application of the world's CBO assigned to
    `reviewer` and one file; made once per world (the route fuzz shares one world between rows)."""
    if getattr(w, "blind", None) is None:
        from types import SimpleNamespace

        from grantflow.core.db import db
        from grantflow.reviews.models import ReviewAssignment
        from tests import factories as F
        from tests.authz.applications import csv_attachment

        program = F.program(w.funder, slug="blind-2026", title="Blind Grants 2026", blind_review=True)
        application = F.application(program, w.cbo)
        db.session.add(ReviewAssignment(application=application, reviewer=w.users["reviewer"]))
        att = csv_attachment(application, "Eastside budget.csv", "authz-blind-file")
        w.blind = SimpleNamespace(program=program, application=application, attachment=att)
    return w.blind


def _app(w):
    return _blind(w).application.id


def _att(w):
    return _blind(w).attachment.id


def _program(w):
    return _blind(w).program.slug


def _term(w):
    from grantflow.blind.models import BlindTerm
    from grantflow.core.db import db

    term = BlindTerm(application_id=_blind(w).application.id, text="Harbor House")
    db.session.add(term)
    db.session.commit()
    return term.id


APP = {"app_id": _app}
ATT = {"app_id": _app, "att_id": _att}

ROUTES = [
    # The applicant's hidden terms (a submitted application: shown, changes refused at the field).
    route("blind.terms_page", APP, ok=APPLICANT),
    route("blind.terms_page", APP, method="POST", ok=APPLICANT, data={"text": "Harbor House"}),
    route("blind.remove_term", {"app_id": _app, "term_id": _term}, method="POST", ok=APPLICANT),
    # The preview of the reviewer's view: the applicant, and funder staff.
    route("blind.preview", APP, ok=TEAM | FUNDER_STAFF),
    route("blind.preview_attachment", ATT, ok=TEAM | FUNDER_STAFF),
    # A blind program's conflict declaration: the funder's reviewers.
    route("blind.declare", {"program": _program}, ok=REVIEWERS),
    route("blind.declare", {"program": _program}, method="POST", ok=REVIEWERS, data={"affiliations": ""}),
    # "I think I know who this is": the assigned reviewer.
    route("blind.recognize", APP, method="POST", ok={"reviewer"}, data={"note": ""}),
    # Showing or withholding a file that needs a check: funder staff.
    route("blind.release", ATT, method="POST", ok=FUNDER_STAFF, data={"decision": "withhold"}),
]
