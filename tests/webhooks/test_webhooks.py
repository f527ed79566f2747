"""Webhooks end to end: a funder admin registers an endpoint on the page; events reach a real HTTP
server on loopback through the outbox, signed per Standard Webhooks (checked by hand and by the
standardwebhooks library); failures are retried with backoff by the outbox's sweep, and every
attempt is listed with the endpoint's answer."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from grantflow.core import outbox
from grantflow.core.db import db, utcnow
from grantflow.webhooks.models import WebhookAttempt, WebhookEndpoint
from tests.api.conftest import make_token
from tests.api.test_applications import complete

pytestmark = pytest.mark.parametrize("app_config", [{"WEBHOOK_ALLOW_HTTP": True, "WEBHOOK_TIMEOUT": 5}])


class Receiver:
    """An HTTP server on loopback that records each request and answers the next queued status."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"try later")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()  # the port now refuses connections
        self.thread.join()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def funder_admin(app, scene):
    from grantflow.core import roles as R
    from tests import factories as F

    return F.user("admin@riverside.org", "Fran Admin", org=scene.funder, role=R.FUNDER_ADMIN)


def _register(app, admin, url, events) -> WebhookEndpoint:
    response = app.test_client(user=admin).post("/funders/riverside/webhooks", data={"url": url, "events": events})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.execute(select(WebhookEndpoint).order_by(WebhookEndpoint.id.desc())).scalars().first()


def _submit_through_the_api(app, scene, api) -> int:
    client = api(make_token(scene.user, "write"))
    app_id = client.post("/api/v1/applications", json={"program": "health-2026"}).get_json()["application"]["id"]
    assert client.post(f"/api/v1/applications/{app_id}/submit", json=complete(scene)).status_code == 200
    return app_id


def _by_hand(secret: str, headers: dict, body: str) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return f"v1,{expected}" in headers["webhook-signature"].split(" ")


def test_a_submission_reaches_the_endpoint_signed(app, scene, api, funder_admin, receiver):
    endpoint = _register(app, funder_admin, receiver.url, ["application.submitted", "decision.released"])
    app_id = _submit_through_the_api(app, scene, api)
    (request,) = receiver.requests
    body, headers = request["body"], request["headers"]
    assert json.loads(body)["type"] == "application.submitted"
    assert json.loads(body)["data"]["application_id"] == app_id
    assert headers["webhook-id"].startswith("msg_") and headers["content-type"] == "application/json"
    assert abs(int(headers["webhook-timestamp"]) - utcnow().timestamp()) < 60
    assert _by_hand(endpoint.secret, headers, body)
    assert not _by_hand("whsec_" + base64.b64encode(b"another secret, 32 bytes long!!!").decode(), headers, body)
    Webhook(endpoint.secret).verify(body, headers)  # the reference implementation agrees
    page = app.test_client(user=funder_admin).get(f"/funders/riverside/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "application.submitted" in page and "Sent" in page and endpoint.secret in page


def test_failures_are_retried_with_backoff_until_delivered(app, scene, api, funder_admin, receiver):
    endpoint = _register(app, funder_admin, receiver.url, ["application.submitted"])
    receiver.statuses = [500, 503]
    _submit_through_the_api(app, scene, api)
    db.session.expire_all()
    message = db.session.execute(select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == "webhook")).scalar_one()
    assert (message.status, message.attempts) == (outbox.PENDING, 1)
    first_wait = message.not_before - utcnow()
    assert dt.timedelta(seconds=20) < first_wait <= dt.timedelta(seconds=30)
    assert outbox.sweep(now=utcnow())["sent"] == 0  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    for _ in range(2):
        db.session.expire_all()
        due = db.session.get(outbox.OutboxMessage, message.id).not_before
        outbox.sweep(now=due + dt.timedelta(seconds=1))
    db.session.expire_all()
    message = db.session.get(outbox.OutboxMessage, message.id)
    assert (message.status, message.attempts) == (outbox.SENT, 3)
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [f"msg_{message.id}"] * 3
    assert len({r["body"] for r in receiver.requests}) == 1  # the same bytes each time
    assert all(_by_hand(endpoint.secret, r["headers"], r["body"]) for r in receiver.requests)
    attempts = db.session.execute(select(WebhookAttempt).order_by(WebhookAttempt.id)).scalars().all()
    assert [(a.attempt, a.status_code) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    assert attempts[0].response_body == "try later" and attempts[2].error == ""
    page = app.test_client(user=funder_admin).get(f"/funders/riverside/webhooks/{endpoint.id}").get_data(as_text=True)
    assert page.count("try later") == 2 and "503" in page


def test_an_unreachable_endpoint_fails_for_good_after_the_last_attempt(app, scene, api, funder_admin):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    with Receiver() as gone:
        url = gone.url
    _register(app, funder_admin, url, ["application.submitted"])
    _submit_through_the_api(app, scene, api)
    db.session.expire_all()
    message = db.session.execute(select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == "webhook")).scalar_one()
    outbox.sweep(now=message.not_before + dt.timedelta(seconds=1))
    db.session.expire_all()
    assert db.session.get(outbox.OutboxMessage, message.id).status == outbox.FAILED
    errors = [a.error for a in db.session.execute(select(WebhookAttempt)).scalars()]
    assert len(errors) == 2 and all("Connection" in e or "refused" in e for e in errors)


def test_only_subscribed_events_of_the_funders_active_endpoints_are_sent(app, scene, api, funder_admin, receiver):
    endpoint = _register(app, funder_admin, receiver.url, ["decision.released"])
    _submit_through_the_api(app, scene, api)
    assert receiver.requests == []
    endpoint.events = ["application.submitted"]
    endpoint.active = False
    db.session.commit()
    _submit_scene_other(app, scene, api)
    assert receiver.requests == []


def _submit_scene_other(app, scene, api):
    client = api(make_token(scene.other_user, "write"))
    app_id = client.post("/api/v1/applications", json={"program": "health-2026"}).get_json()["application"]["id"]
    assert client.post(f"/api/v1/applications/{app_id}/submit", json=complete(scene)).status_code == 200


def test_reviews_decisions_and_letters_are_told(app, scene, funder_admin, receiver):
    """A release's webhook waits out the release's hold, like its emails."""
    from grantflow.decisions import release as rel
    from grantflow.decisions.models import Decision
    from grantflow.letters import services as letters
    from grantflow.reviews import services as reviews
    from grantflow.reviews.models import ReviewAssignment
    from tests import factories as F

    _register(app, funder_admin, receiver.url, ["review.completed", "decision.released", "letter.issued"])
    application = F.application(scene.program, scene.cbo)
    assignment = ReviewAssignment(application=application, reviewer=scene.reviewer)
    db.session.add(assignment)
    decision = Decision(application_id=application.id, program_id=scene.program.id, outcome="award",
                        amount_cents=40_000_00)
    db.session.add(decision)
    db.session.commit()
    rubric = scene.program.current_rubric
    reviews.save_review(assignment, rubric, scores={c.id: 4 for c in rubric.criteria}, comment_to_applicant="",
                        private_comment="", submit=True)
    db.session.commit()
    letters.issue(decision)
    db.session.commit()
    release = rel.request_release(scene.program, ["award"], count=1, reason="Early.", actor=scene.officer)
    db.session.commit()
    types = [json.loads(r["body"])["type"] for r in receiver.requests]
    assert types == ["review.completed", "letter.issued"]  # the release is still in its hold
    db.session.expire_all()
    outbox.sweep(now=db.session.get(type(release), release.id).hold_until + dt.timedelta(seconds=1))
    types = [json.loads(r["body"])["type"] for r in receiver.requests]
    assert types == ["review.completed", "letter.issued", "decision.released"]
    released = json.loads(receiver.requests[2]["body"])["data"]
    assert (released["application_id"], released["outcome"], released["amount_cents"]) == (application.id, "award", 40_000_00)


def test_a_payment_is_told(app, scene, funder_admin, receiver):
    """Recording an instalment as paid sends payment.made once the request's transaction commits."""
    from tests import factories as F
    from tests.awards.builders import award, pay, schedule

    endpoint = _register(app, funder_admin, receiver.url, ["payment.made"])
    application = F.application(scene.program, scene.cbo)
    award(application, 30_000_00)
    first, _ = schedule(application, (10_000_00, dt.date(2026, 1, 15)), (20_000_00, dt.date(2027, 1, 15)))
    db.session.commit()
    pay(first)
    assert receiver.requests == []  # not before the commit
    db.session.commit()
    (request,) = receiver.requests
    body = json.loads(request["body"])
    assert body["type"] == "payment.made"
    assert (body["data"]["application_id"], body["data"]["amount_cents"], body["data"]["paid_on"]) == \
        (application.id, 10_000_00, "2026-03-01")
    Webhook(endpoint.secret).verify(request["body"], request["headers"])


def test_the_registration_form_answers_at_the_field_and_keeps_what_was_typed(app, scene, funder_admin):
    app.config["WEBHOOK_ALLOW_HTTP"] = False
    client = app.test_client(user=funder_admin)
    response = client.post("/funders/riverside/webhooks", data={"url": "http://crm.example.org/x",
                                                                "description": "Kept", "events": ["nope"]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "https://" in page and 'value="Kept"' in page
    assert db.session.execute(select(WebhookEndpoint)).first() is None
