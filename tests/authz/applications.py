from tests.authz import TEAM, TEAM_EDITORS, route

APPLICANTS = {"applicant", "other_applicant"}
STAFF = {"funder_admin", "program_officer"}


def _app(w):
    return w.application.id


def csv_attachment(application, original_name: str, stored_name: str):
    """A small CSV file of `application`, its row committed and its bytes in the file storage."""
    from grantflow.applications.attachments import key_of
    from grantflow.applications.models import Attachment
    from grantflow.core import files
    from grantflow.core.db import db

    att = Attachment(application=application, original_name=original_name, stored_name=stored_name,
                     mime_type="text/csv", size=10, sha256="0" * 64)
    db.session.add(att)
    db.session.commit()
    files.write_durable(key_of(att), b"a,b\n1,2\n")
    return att


def _att(w):
    return csv_attachment(w.application, "budget.csv", "authz-test-file").id


def _copied(w):
    """The world's application with its stored copy of what was sent."""
    from grantflow.applications import submission_copy
    from grantflow.core.db import db

    submission_copy.store(w.application)
    db.session.commit()
    return w.application.id


ROUTES = [
    route("applications.blank_form", {"program": "health-2026"}, public=True),
    # Starting a draft: the teams' admins and editors (a viewer is told to ask for the editor role: 403).
    route("applications.start", {"program": "health-2026"}, ok=APPLICANTS | {"editor"}),
    route("applications.start", {"program": "health-2026"}, method="POST", ok=APPLICANTS | {"editor"}),
    # The submitted application: its admin and editor are sent to its status page; its viewer gets
    # 403 (a viewer changes nothing); everyone else 404.
    route("applications.edit", {"app_id": _app}, ok=TEAM_EDITORS),
    route("applications.edit", {"app_id": _app}, method="POST", ok=TEAM_EDITORS),
    # Autosave of a submitted application is refused with 409 (allowed, but nothing saved).
    route("applications.autosave", {"app_id": _app}, method="POST", ok=TEAM_EDITORS),
    route("applications.status", {"app_id": _app}, ok=TEAM | {"reviewer"} | STAFF),
    # Withdrawing: the team's admins only.
    route("applications.withdraw", {"app_id": _app}, ok={"applicant"}),
    route("applications.withdraw", {"app_id": _app}, method="POST", data={"confirm": "yes"}, ok={"applicant"}),
    route("applications.attachment", {"app_id": _app, "att_id": _att}, ok=TEAM | {"reviewer"} | STAFF),
    route("applications.submission_copy_pdf", {"app_id": _copied}, ok=TEAM | STAFF),
]
