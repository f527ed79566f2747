"""Outgoing mail. With no MAIL_SERVER configured, messages go to the log (and, in tests, an outbox)."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("grantflow.mail")


def send_mail(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    current_app.extensions.setdefault("grantflow_outbox", []).append(msg)
    server = current_app.config["MAIL_SERVER"]
    if server:
        with smtplib.SMTP(server, current_app.config["MAIL_PORT"], timeout=10) as smtp:
            smtp.send_message(msg)
    else:
        log.info("mail to %s: %s\n%s", to, subject, body)
    return msg


def outbox() -> list[EmailMessage]:
    return current_app.extensions.setdefault("grantflow_outbox", [])
