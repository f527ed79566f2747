from tests.authz import ALL_USERS, route


def _applicant_session(w):
    from grantflow.accounts import sessions
    from grantflow.core.db import db

    sessions.start(w.users["applicant"])
    db.session.commit()
    return w.users["applicant"].session_id


def _reviewer_membership(w):
    return next(m.id for m in w.users["reviewer"].memberships)


def _failed_message(w):
    from grantflow.core import outbox as ob
    from grantflow.core.db import db

    message = ob.add(recipient="x@example.org", subject="Hello", body="-", funder_id=w.funder.id)
    message.status = ob.FAILED
    db.session.commit()
    return message.id


ROUTES = [
    route("accounts.register", public=True),
    route("accounts.login", public=True),
    route("accounts.logout", method="POST", public=True),
    route("accounts.reset_request", public=True),
    # An unknown token is a redirect back to the request form, for everybody.
    route("accounts.reset_password", {"token": "not-a-token"}, public=True),
    route("accounts.verify", {"token": "not-a-token"}, public=True),
    route("accounts.resend_verification", public=True),
    route("accounts.set_language", method="POST", public=True),
    route("accounts.account", ok=ALL_USERS),
    route("accounts.end_session", {"session_id": _applicant_session}, method="POST", ok={"applicant"}),
    route("accounts.end_other_sessions", method="POST", ok=ALL_USERS),
    route("accounts.people", {"slug": "riverside"}, ok={"funder_admin"}),
    route("accounts.remove_member", {"slug": "riverside", "membership_id": _reviewer_membership},
          method="POST", ok={"funder_admin"}),
    route("accounts.messages", {"slug": "riverside"}, ok={"funder_admin"}),
    route("accounts.send_message_again", {"slug": "riverside", "message_id": _failed_message},
          method="POST", ok={"funder_admin"}),
    route("accounts.accept_invitation", {"token": "not-a-token"}, anonymous="deny"),
]
