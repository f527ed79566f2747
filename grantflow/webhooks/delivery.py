"""Sending one webhook delivery: the outbox's transport for ``kind="webhook"``.

Signed per Standard Webhooks: ``webhook-id`` (the same on every retry, so the receiver can drop
duplicates), ``webhook-timestamp`` (this attempt's, in seconds) and ``webhook-signature``
(``v1,`` + base64 of HMAC-SHA256 over ``id.timestamp.body`` with the endpoint's secret). Any
answer but 2xx, or no answer within WEBHOOK_TIMEOUT, raises, and the outbox retries with
backoff. Every attempt is recorded with what the endpoint answered (committed by the outbox with
the message's new status).
"""
from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request

from flask import current_app
from sqlalchemy.orm import object_session
from standardwebhooks.webhooks import Webhook

from grantflow.core import outbox
from grantflow.core.db import utcnow
from grantflow.webhooks.models import WebhookAttempt, WebhookEndpoint
from grantflow.webhooks.services import KIND

RESPONSE_KEPT = 2000  # characters of an endpoint's answer kept with the attempt


class DeliveryFailed(Exception):
    pass


def signed_headers(secret: str, message_id: str, body: str, at: dt.datetime) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(message_id, at, body), "content-type": "application/json",
            "user-agent": "GrantFlow-Webhooks/1"}


@outbox.transport(KIND)
def send(message: outbox.OutboxMessage) -> None:
    # The delivering session's: the attempt is committed with the message's new status.
    s = object_session(message)
    endpoint_id = int(message.recipient.rpartition(":")[2])
    endpoint = s.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not endpoint.active:
        raise DeliveryFailed("The endpoint was removed.")
    url, secret = endpoint.url, endpoint.secret
    at = utcnow()
    request = urllib.request.Request(url, data=message.body.encode(), method="POST",
                                     headers=signed_headers(secret, f"msg_{message.id}", message.body, at))
    status, answer, error = None, "", ""
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["WEBHOOK_TIMEOUT"]) as response:
            status, answer = response.status, response.read(RESPONSE_KEPT).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        status, answer = exc.code, exc.read(RESPONSE_KEPT).decode(errors="replace")
        error = f"The endpoint answered {exc.code}."
    except (OSError, ValueError) as exc:  # refused, unreachable, timed out, a bad address
        error = f"{type(exc).__name__}: {exc}"
    s.add(WebhookAttempt(message_id=message.id, endpoint_id=endpoint_id, attempt=message.attempts, at=at,
                         status_code=status, response_body=answer[:RESPONSE_KEPT], error=error[:2000]))
    if error:
        raise DeliveryFailed(error)
