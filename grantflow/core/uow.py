"""The unit of work: one commit or one rollback per request, and side effects tied to its outcome.

A request's changes are committed because its view *finished its work*, not because of the status
it answers with: a draft saved before a 422 ("your draft is saved, but it cannot be submitted yet")
is kept. A view that raises (``abort(404)``, a failed query, a bug) has everything rolled back, and
so does one that calls :func:`discard` because what it changed must not stand. ``GrantFlowApp``
(in ``grantflow/__init__.py``) calls :func:`finish_request` when the view returns and
:func:`abandon_request` when it raises; nothing else in the code decides.

Side effects that must follow the outcome register callbacks: :func:`after_commit` runs once the
outermost transaction has committed (an uploaded file moved into place, the outbox's messages handed
to the queue), :func:`after_rollback` once it has rolled back (the uploaded file removed). The
callbacks hang on the session, so CLI commands, queue tasks and tests that commit themselves get the
same guarantees. A callback must not use the session that just ended; one that needs the database
opens its own (:func:`grantflow.core.db.separate_session`).

:func:`attempt` is for a view that catches a service's refusal and shows it: the service's partial
changes are rolled back to a savepoint, the request's earlier changes stay.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

from flask import g
from sqlalchemy import event
from sqlalchemy.orm import Session

from grantflow.core.db import db

log = logging.getLogger(__name__)

_COMMIT = "gf_after_commit"
_ROLLBACK = "gf_after_rollback"


def after_commit(fn: Callable[[], None]) -> None:
    """Runs ``fn`` after the current transaction commits (never if it rolls back)."""
    _current().info.setdefault(_COMMIT, []).append(fn)


def after_rollback(fn: Callable[[], None]) -> None:
    """Runs ``fn`` after the current transaction rolls back (never if it commits)."""
    _current().info.setdefault(_ROLLBACK, []).append(fn)


def _current() -> Session:
    """The session, inside a transaction: a callback always belongs to one that will end."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    return session


def discard() -> None:
    """The current request keeps nothing it changed, though its view returns normally."""
    g.gf_discard = True


@contextlib.contextmanager
def attempt() -> Iterator[None]:
    """Rolls back what the block changed when it raises (to a savepoint), then re-raises."""
    savepoint = db.session.begin_nested()
    try:
        yield
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    else:
        if savepoint.is_active:
            savepoint.commit()


def finish_request() -> None:
    """The view returned: commit (or roll back after :func:`discard`)."""
    if g.pop("gf_discard", False):
        db.session.rollback()
    else:
        db.session.commit()


def abandon_request() -> None:
    """The view raised: nothing it changed stands."""
    g.pop("gf_discard", None)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a broken connection must not hide the original error
        log.exception("rollback failed")


def init_app(app) -> None:
    @app.teardown_request
    def _end(exc):
        # A request answered before its view ran (a before-request hook's response) keeps nothing.
        if db.session().in_transaction():
            abandon_request()


def _run(callbacks: list[Callable[[], None]], what: str) -> None:
    for fn in callbacks:
        try:
            fn()
        except Exception:  # noqa: BLE001 - one failed side effect must not stop the others
            log.exception("%s callback %r failed", what, fn)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # SQLAlchemy fires this for a released savepoint (attempt()) too: the transaction goes on,
    # so its callbacks wait for the outermost commit.
    if session.in_nested_transaction():
        return
    session.info.pop(_ROLLBACK, None)
    _run(session.info.pop(_COMMIT, []), "after-commit")


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    # Every rollback, also one with no database transaction under way (a callback registered
    # before the first query); a savepoint's (attempt()) is skipped: the transaction goes on.
    if previous_transaction.nested or previous_transaction.parent is not None:
        return
    session.info.pop(_COMMIT, None)
    _run(session.info.pop(_ROLLBACK, []), "after-rollback")
