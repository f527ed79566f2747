from tests.authz import FUNDER_STAFF, route
from tests.authz.applications import _att

APPLICANT = {"applicant"}
REVIEWERS = {"reviewer", "other_reviewer"}


def _blind(w):
    from grantflow.core.db import db

    w.program.blind_review = True
    db.session.commit()
    return w


def _app(w):
    return _blind(w).application.id


def _program(w):
    return _blind(w).program.slug


def _term(w):
    from grantflow.blind.models import BlindTerm
    from grantflow.core.db import db

    term = BlindTerm(application_id=w.application.id, text="Harbor House")
    db.session.add(term)
    db.session.commit()
    return term.id


def _blind_att(w):
    _blind(w)
    return _att(w)


APP = {"app_id": _app}
ATT = {"app_id": _app, "att_id": _blind_att}

ROUTES = [
    # The applicant's hidden terms (a submitted application: shown, changes refused at the field).
    route("blind.terms_page", APP, ok=APPLICANT),
    route("blind.terms_page", APP, method="POST", ok=APPLICANT, data={"text": "Harbor House"}),
    route("blind.remove_term", {"app_id": _app, "term_id": _term}, method="POST", ok=APPLICANT),
    # The preview of the reviewer's view: the applicant, and funder staff.
    route("blind.preview", APP, ok=APPLICANT | FUNDER_STAFF),
    route("blind.preview_attachment", ATT, ok=APPLICANT | FUNDER_STAFF),
    # A blind program's conflict declaration: the funder's reviewers.
    route("blind.declare", {"program": _program}, ok=REVIEWERS),
    route("blind.declare", {"program": _program}, method="POST", ok=REVIEWERS, data={"affiliations": ""}),
    # "I think I know who this is": the assigned reviewer.
    route("blind.recognize", APP, method="POST", ok={"reviewer"}, data={"note": ""}),
    # Showing or withholding a file that needs a check: funder staff.
    route("blind.release", ATT, method="POST", ok=FUNDER_STAFF, data={"decision": "withhold"}),
]
