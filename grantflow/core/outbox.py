"""The transactional outbox: every outgoing message is a row written with the change that causes it.

A message (an email, or a webhook delivery: ``kind``, each kind sent by its own transport, see
:func:`transport`) is added to the session in the
same transaction as its cause, so a change that rolls back sends nothing. Once the transaction
commits, each new message is handed to the task queue (``MAIL_DELIVERY = "queue"``, the default)
or delivered at once in this process (``"inline"``, what the tests use); a periodic sweep in the
worker delivers whatever was committed but never reached the queue (a web process killed between
its commit and the hand-over, a queue that was down).

Delivery is at most once. A worker *claims* a message with a conditional UPDATE (pending → sending)
before it talks to the mail server, and marks it sent afterwards. A failure it sees (the server
refused, the connection failed) puts the message back to pending with a backoff, up to
``OUTBOX_MAX_ATTEMPTS`` tries, then "failed". A worker that dies mid-send leaves the message
"sending": whether the server took it is unknown, so the sweep marks it "uncertain" and never
sends it again on its own; the funder admin's log shows it, and a person decides to send it again.
Each message also carries its key as the email's ``Message-ID``, so a resend that does happen is
recognisable as the same message.

The idempotency key makes adding a message idempotent too: adding a key that exists returns the
existing message (a retried request, a scheduled job that runs twice).
"""
from __future__ import annotations

import datetime as dt
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Optional

from flask import current_app
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core import uow
from grantflow.core.db import UTCDateTime, db, separate_session, utcnow

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED, UNCERTAIN, CANCELLED = (
    "pending", "sending", "sent", "failed", "uncertain", "cancelled")
STATUS_LABELS = {PENDING: _l("Waiting to be sent"), SENDING: _l("Being sent"), SENT: _l("Sent"),
                 FAILED: _l("Failed"), UNCERTAIN: _l("Unknown (the sender stopped mid-send)"),
                 CANCELLED: _l("Cancelled")}
RESENDABLE = (FAILED, UNCERTAIN)  # what a person may choose to send again
DELIVER_TASK = "outbox_deliver"
SWEEP_TASK = "outbox_sweep"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="mail")
    # What caused it ("application.submitted"), and whose log it belongs to.
    event: Mapped[str] = mapped_column(String(80), default="")
    funder_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[Optional[dict]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not sent before this time: a hold during which the cause can still be undone, or a backoff.
    not_before: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


# --- adding, in the caller's transaction ---------------------------------------------------------

def add(*, recipient: str, subject: str = "", body: str = "", kind: str = "mail", key: str | None = None,
        event: str = "", funder_id: int | None = None, payload: dict | None = None,
        not_before: dt.datetime | None = None) -> OutboxMessage:
    """Records a message in the current transaction; it goes out after the commit, once."""
    if key is not None:
        existing = _pending_in_session(key) or db.session.execute(
            select(OutboxMessage).where(OutboxMessage.key == key)).scalar_one_or_none()
        if existing is not None:
            return existing
    message = OutboxMessage(key=key or uuid.uuid4().hex, kind=kind, event=event, funder_id=funder_id,
                            recipient=recipient, subject=subject[:300], body=body, payload=payload,
                            status=PENDING, attempts=0, not_before=not_before, last_error="")
    db.session.add(message)
    db.session.flush()
    _hand_over_after_commit(message.id)
    return message


def _pending_in_session(key: str) -> OutboxMessage | None:
    return next((m for m in db.session.new if isinstance(m, OutboxMessage) and m.key == key), None)


def _hand_over_after_commit(message_id: int) -> None:
    app = current_app._get_current_object()
    session_info = db.session().info
    ids = session_info.setdefault("gf_outbox_ids", [])
    if not ids:
        uow.after_commit(lambda: _hand_over(app, session_info.pop("gf_outbox_ids", [])))
        uow.after_rollback(lambda: session_info.pop("gf_outbox_ids", None))
    ids.append(message_id)


def _hand_over(app, ids: list[int]) -> None:
    if not ids:
        return
    mode = app.config["MAIL_DELIVERY"]
    if mode == "inline":
        for message_id in ids:
            deliver(message_id, app=app)
        return
    from grantflow.tasks import enqueue_at

    with app.app_context(), separate_session() as s:
        due = dict(s.execute(select(OutboxMessage.id, OutboxMessage.not_before)
                             .where(OutboxMessage.id.in_(ids))).all())
    for message_id in ids:
        try:
            enqueue_at(DELIVER_TASK, due.get(message_id), message_id, app=app)
        except Exception:  # noqa: BLE001 - the sweep delivers what did not reach the queue
            log.exception("could not queue outbox message %s; the sweep will send it", message_id)


# --- delivering, in a worker (or inline) ------------------------------------------------------------

def deliver(message_id: int, *, app=None, now: dt.datetime | None = None) -> str:
    """Sends one message if it is still pending and due; returns its status afterwards."""
    app = app or current_app._get_current_object()
    now = now or utcnow()
    with app.app_context(), separate_session() as s:
        claimed = s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING,
                   (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now))
            .values(status=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        ).rowcount == 1
        s.commit()
        message = s.get(OutboxMessage, message_id)
        if message is None:
            return "missing"
        if not claimed:
            return message.status
        try:
            _transport(message.kind)(message)
        except Exception as exc:  # noqa: BLE001 - any failure the sender sees is retried, then kept
            return _failed(s, message, exc, now)
        message.status, message.sent_at, message.last_error = SENT, utcnow(), ""
        s.commit()
        return SENT


def _failed(s, message: OutboxMessage, exc: Exception, now: dt.datetime) -> str:
    limit = int(current_app.config["OUTBOX_MAX_ATTEMPTS"])
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= limit:
        message.status = FAILED
        log.error("outbox message %s failed for good: %s", message.id, message.last_error)
    else:
        message.status = PENDING
        message.not_before = now + retry_delay(message.attempts)
        log.warning("outbox message %s failed (attempt %s), retrying: %s", message.id, message.attempts,
                    message.last_error)
    s.commit()
    if message.status == PENDING and current_app.config["MAIL_DELIVERY"] != "inline":
        from grantflow.tasks import enqueue_at

        enqueue_at(DELIVER_TASK, message.not_before, message.id)
    return message.status


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, ... capped at an hour."""
    base = float(current_app.config["OUTBOX_RETRY_SECONDS"])
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


_TRANSPORTS: dict[str, Callable[[OutboxMessage], None]] = {}


def transport(kind: str):
    """Declares the function that sends outbox messages of ``kind`` (an area's, e.g. webhooks):
    it raises on any failure, which the outbox retries with backoff."""
    def register(fn: Callable[[OutboxMessage], None]):
        _TRANSPORTS[kind] = fn
        return fn
    return register


def _transport(kind: str):
    if kind == "mail":
        from grantflow.core.mail import transmit

        return transmit
    if kind in _TRANSPORTS:
        return _TRANSPORTS[kind]
    raise LookupError(f"no transport for outbox messages of kind {kind!r}")


def sweep(*, app=None, now: dt.datetime | None = None) -> dict[str, int]:
    """Delivers committed messages that are due but were never delivered, and marks messages
    claimed by a sender that stopped mid-send as uncertain. Run every minute by the worker."""
    app = app or current_app._get_current_object()
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=int(app.config["OUTBOX_SENDING_TIMEOUT"]))
    with app.app_context(), separate_session() as s:
        uncertain = s.execute(
            update(OutboxMessage).where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < stale)
            .values(status=UNCERTAIN, last_error="The sender stopped before it reported the result; "
                                                 "the message may or may not have gone out.")
        ).rowcount
        s.commit()
        due = list(s.execute(
            select(OutboxMessage.id).where(
                OutboxMessage.status == PENDING,
                (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now))
            .order_by(OutboxMessage.id)).scalars())
    sent = sum(deliver(message_id, app=app, now=now) == SENT for message_id in due)
    return {"uncertain": uncertain, "due": len(due), "sent": sent}


# --- people's decisions -------------------------------------------------------------------------------

def send_again(message: OutboxMessage) -> None:
    """A person decided to send a failed or uncertain message again (in the caller's transaction).
    A cancelled one never is: it was cancelled with the change that caused it (a release undone),
    and sending it would announce what was undone."""
    if message.status not in RESENDABLE:
        raise ValueError(_("Only a failed or uncertain message can be sent again; a cancelled one cannot be sent "
                           "again, since what it announced was undone."))
    message.status, message.not_before, message.attempts = PENDING, None, 0
    db.session.flush()
    _hand_over_after_commit(message.id)


def cancel(messages: Iterable[OutboxMessage]) -> int:
    """Cancels messages that have not gone out yet (a release undone during its hold)."""
    n = 0
    for message in messages:
        if message.status == PENDING:
            message.status = CANCELLED
            n += 1
    db.session.flush()
    return n
