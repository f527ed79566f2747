"""Registering endpoints, and turning domain events into signed deliveries through the outbox.

An event becomes one outbox message (``kind="webhook"``) per active endpoint of the funder that
asked for it, in the transaction of the change that caused it, so it leaves after the commit,
once; the outbox's worker and sweep deliver it and retry failures with backoff. The body is fixed
when the event happens (each retry sends the same bytes, re-signed with its own timestamp).
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from grantflow.core import outbox
from grantflow.core.db import db, utcnow
from grantflow.core.events import subscribe
from grantflow.webhooks.models import EVENTS, WebhookAttempt, WebhookEndpoint

KIND = "webhook"


class WebhookError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    allowed = ("https", "http") if current_app.config["WEBHOOK_ALLOW_HTTP"] else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise WebhookError("url", "Enter an https:// address, like https://crm.example.org/hooks/grantflow."
                           if allowed == ("https",) else "Enter an http:// or https:// address.")
    if len(url) > 500:
        raise WebhookError("url", "Use at most 500 characters.")
    return url


def register(funder, *, url: str, events: list[str], description: str = "", user=None) -> WebhookEndpoint:
    url = check_url(url)
    chosen = [e for e in EVENTS if e in set(events or ())]
    if not chosen or set(events) - set(EVENTS):
        raise WebhookError("events", "Choose at least one event from the list.")
    endpoint = WebhookEndpoint(funder_id=funder.id, url=url, description=(description or "").strip()[:200],
                               events=chosen, active=True, created_by_id=user.id if user else None,
                               secret="whsec_" + base64.b64encode(secrets.token_bytes(32)).decode())
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def endpoints_of(funder_id: int) -> list[WebhookEndpoint]:
    return list(db.session.execute(select(WebhookEndpoint).where(WebhookEndpoint.funder_id == funder_id)
                                   .order_by(WebhookEndpoint.id)).scalars())


def deliveries(endpoint: WebhookEndpoint, limit: int = 50) -> list[tuple[outbox.OutboxMessage, list[WebhookAttempt]]]:
    """The endpoint's latest deliveries, newest first, each with its attempts (oldest first)."""
    messages = list(db.session.execute(
        select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == KIND, outbox.OutboxMessage.recipient == endpoint_ref(endpoint))
        .order_by(outbox.OutboxMessage.id.desc()).limit(limit)).scalars())
    attempts: dict[int, list[WebhookAttempt]] = {m.id: [] for m in messages}
    if messages:
        for a in db.session.execute(select(WebhookAttempt).where(WebhookAttempt.message_id.in_(attempts))
                                    .order_by(WebhookAttempt.id)).scalars():
            attempts[a.message_id].append(a)
    return [(m, attempts[m.id]) for m in messages]


def endpoint_ref(endpoint: WebhookEndpoint) -> str:
    """The outbox row's recipient: which endpoint (its URL may change; its id does not)."""
    return f"webhook-endpoint:{endpoint.id}"


@subscribe
def on_event(event: str, funder_id: int, data: dict, not_before=None) -> list[outbox.OutboxMessage]:
    """One delivery per active endpoint of the funder that subscribed to ``event``."""
    if event not in EVENTS:
        raise LookupError(f"unknown webhook event {event!r}")
    now, messages = utcnow(), []
    for endpoint in db.session.execute(select(WebhookEndpoint).where(
            WebhookEndpoint.funder_id == funder_id, WebhookEndpoint.active.is_(True))).scalars():
        if event not in endpoint.events:
            continue
        subject = ":".join(f"{k}={v}" for k, v in sorted(data.items()) if isinstance(v, (int, str)))
        body = json.dumps({"type": event, "timestamp": _iso(now), "data": data}, sort_keys=True,
                          separators=(",", ":"))
        messages.append(outbox.add(kind=KIND, recipient=endpoint_ref(endpoint), subject=event, body=body, event=event,
                                   funder_id=funder_id, key=f"webhook:{endpoint.id}:{event}:{subject}"[:200],
                                   not_before=not_before))
    return messages


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
