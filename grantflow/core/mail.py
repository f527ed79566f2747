"""Outgoing mail, through the outbox (grantflow/core/outbox.py).

:func:`send_mail` records the message in the caller's transaction; it leaves only after that
transaction commits, exactly as often as it was committed (once). :func:`transmit` is the
outbox's transport: SMTP when ``MAIL_SERVER`` is set, otherwise the log (the embedded default).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import select

from grantflow.core import outbox as ob
from grantflow.core.db import separate_session

log = logging.getLogger("grantflow.mail")


def send_mail(to: str, subject: str, body: str, *, key: str | None = None, event: str = "",
              funder_id: int | None = None, not_before: dt.datetime | None = None) -> ob.OutboxMessage:
    """Queues one email in the current transaction. ``key`` makes it idempotent: a message with
    the same key is only ever recorded (and sent) once."""
    return ob.add(kind="mail", recipient=to, subject=subject, body=body, key=key, event=event,
                  funder_id=funder_id, not_before=not_before)


def message_id(key: str) -> str:
    """The same for every send of one outbox message, so a resend is recognisably the same mail."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@grantflow>"


def as_email(message: ob.OutboxMessage) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = message.recipient
    msg["Subject"] = message.subject
    msg["Message-ID"] = message_id(message.key)
    msg["Date"] = format_datetime(message.created_at)
    msg.set_content(message.body)
    return msg


def transmit(message: ob.OutboxMessage) -> None:
    """Sends one outbox message now (called by the outbox's delivery, never directly)."""
    msg = as_email(message)
    server = current_app.config.get("MAIL_SERVER")
    if server:
        with smtplib.SMTP(server, current_app.config["MAIL_PORT"], timeout=10) as smtp:
            smtp.send_message(msg)
    else:
        log.info("mail to %s: %s\n%s", message.recipient, message.subject, message.body)


def outbox() -> list[EmailMessage]:
    """The emails sent so far, oldest first, read from the database (any process's)."""
    with separate_session() as s:
        rows = s.execute(select(ob.OutboxMessage).where(ob.OutboxMessage.kind == "mail",
                                                        ob.OutboxMessage.status == ob.SENT)
                         .order_by(ob.OutboxMessage.sent_at, ob.OutboxMessage.id)).scalars().all()
        return [as_email(m) for m in rows]
