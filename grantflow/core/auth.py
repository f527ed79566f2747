"""Sessions (Flask-Login) and password hashing (argon2)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, g

from grantflow.core.extensions import login_manager

_hasher = PasswordHasher()
# Verifying against this when the email is unknown costs the same time as a real check,
# so response time does not tell which emails have accounts.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(login_id: str):
        """A cookie is accepted only while the server-side session it names is active."""
        from grantflow.accounts import sessions

        return sessions.resolve(login_id)

    @app.before_request
    def forget_cached_user():
        """Each request loads its own user, even when an outer app context (a test, a CLI
        command) outlives several requests and would otherwise keep the first one's user in g."""
        g.pop("_login_user", None)
