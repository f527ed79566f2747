"""The outbox: a message is a row of the transaction that causes it, delivered after the commit by the
queue to a real SMTP server, at most once, with retries; nothing for a change that rolled back."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from grantflow.core import outbox as ob
from grantflow.core.db import db, utcnow
from grantflow.core.mail import message_id, outbox, send_mail
from grantflow.tasks import get_huey
from tests import servers, smtpserver
from tests.applications.conftest import build_scene, complete_form
from tests.conftest import build_world


@pytest.fixture
def smtp():
    controller, inbox = smtpserver.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def app_config(smtp):
    controller, _ = smtp
    return {"MAIL_DELIVERY": "queue", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port,
            "OUTBOX_RETRY_SECONDS": 30, "RELEASE_HOLD_MINUTES": 0}


def run_queue(app) -> int:
    """Runs every task waiting in the app's queue, as a worker would; returns how many ran."""
    huey = get_huey(app)
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def _rows():
    with Session(db.engine) as s:
        return [(m.recipient, m.status, m.attempts) for m in s.execute(
            select(ob.OutboxMessage).order_by(ob.OutboxMessage.id)).scalars()]


def test_nothing_is_sent_for_a_change_that_rolled_back(any_app, smtp):
    _, inbox = smtp
    send_mail("a@example.org", "Hello", "body")
    db.session.rollback()
    assert _rows() == [] and run_queue(any_app) == 0 and inbox.messages == []


def test_a_failed_request_sends_nothing(app, smtp):
    from flask import Blueprint

    _, inbox = smtp
    bp = Blueprint("outbox_test", __name__)

    @bp.route("/_mail_then_fail", methods=["POST"])
    def view():
        send_mail("a@example.org", "Hello", "body")
        raise RuntimeError("after the mail, before the commit")

    app.register_blueprint(bp)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().post("/_mail_then_fail").status_code == 500
    assert _rows() == [] and run_queue(app) == 0 and inbox.messages == []


def test_submission_mail_leaves_after_the_commit_from_the_queue_once(any_app, smtp):
    _, inbox = smtp
    scene = build_scene()
    client = any_app.test_client(user=scene.user)
    r = client.post("/programs/health-2026/apply")
    app_id = int(r.headers["Location"].rstrip("/").split("/")[-2])
    client.get(f"/applications/{app_id}/edit")
    with client.session_transaction() as sess:
        token = sess["submit_tokens"][str(app_id)]
    r = client.post(f"/applications/{app_id}/edit", data=complete_form(scene, action="submit", submit_token=token))
    assert r.status_code == 302
    # Committed and queued, not yet sent: the request did not wait for the mail server.
    assert _rows() == [("dana@eastside.org", ob.PENDING, 0)] and inbox.messages == []
    assert run_queue(any_app) == 1
    [msg] = inbox.wait_for(1)
    assert msg["To"] == "dana@eastside.org" and msg["Subject"] == "Application received: Healthy homes"
    assert msg["Message-ID"] == message_id(f"application.submitted:{app_id}")
    assert _rows() == [("dana@eastside.org", ob.SENT, 1)]
    # The same task delivered again (a duplicate in the queue) sends nothing more.
    row_id = db.session.execute(select(ob.OutboxMessage.id)).scalar_one()
    assert ob.deliver(row_id) == ob.SENT
    time.sleep(0.2)
    assert len(inbox.messages) == 1


def test_a_key_is_recorded_and_sent_once(any_app, smtp):
    _, inbox = smtp
    first = send_mail("a@example.org", "Hello", "body", key="welcome:1")
    again = send_mail("a@example.org", "Hello", "body", key="welcome:1")
    db.session.commit()
    assert again is first
    send_mail("a@example.org", "Hello", "body", key="welcome:1")  # a later transaction: still the one row
    db.session.commit()
    run_queue(any_app)
    assert len(_rows()) == 1 and len(inbox.wait_for(1)) == 1


def test_a_refusing_server_is_retried_with_backoff_then_failed(app, smtp):
    _, inbox = smtp
    inbox.refuse = True
    message = send_mail("a@example.org", "Hello", "body")
    db.session.commit()
    run_queue(app)
    db.session.expire_all()
    m = db.session.get(ob.OutboxMessage, message.id)
    assert (m.status, m.attempts) == (ob.PENDING, 1) and "451" in m.last_error
    assert dt.timedelta(seconds=25) < m.not_before - utcnow() <= dt.timedelta(seconds=30)
    # Not due yet: a delivery now sends nothing.
    assert ob.deliver(m.id) == ob.PENDING and m.attempts == 1
    later = utcnow()
    for attempt in range(2, app.config["OUTBOX_MAX_ATTEMPTS"] + 1):
        db.session.expire_all()
        later = db.session.get(ob.OutboxMessage, m.id).not_before
        ob.deliver(m.id, now=later)
    db.session.expire_all()
    m = db.session.get(ob.OutboxMessage, m.id)
    assert (m.status, m.attempts) == (ob.FAILED, app.config["OUTBOX_MAX_ATTEMPTS"])
    # Delays doubled: 30 s, 60 s, 120 s ...
    assert [ob.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    # The server works again; the admin sends it again from the log.
    inbox.refuse = False
    ob.send_again(m)
    db.session.commit()
    run_queue(app)
    assert len(inbox.wait_for(1)) == 1 and _rows()[0][1] == ob.SENT


def test_the_sweep_sends_what_never_reached_the_queue(any_app, smtp):
    """A web process killed between its commit and the hand-over leaves a pending row."""
    _, inbox = smtp
    with Session(db.engine) as s:
        s.add(ob.OutboxMessage(key="orphan", recipient="a@example.org", subject="Hello", body="-",
                               status=ob.PENDING, attempts=0, last_error=""))
        s.commit()
    assert run_queue(any_app) == 0
    assert ob.sweep() == {"uncertain": 0, "due": 1, "sent": 1}
    assert len(inbox.wait_for(1)) == 1
    assert ob.sweep()["due"] == 0


def test_a_sender_killed_mid_send_never_sends_twice(app, smtp, tmp_path):
    """A worker process is SIGKILLed after the server received the message and before it answered:
    the message stays "sending", the sweep marks it uncertain, and nothing sends it again."""
    controller, inbox = smtp
    inbox.hold = 300  # the answer waits until the worker is killed
    message = send_mail("a@example.org", "Hello", "body")
    db.session.commit()
    get_huey(app).flush()  # this test delivers from its own process below
    script = (
        "import sys\n"
        "from grantflow import create_app\n"
        "from grantflow.core import outbox\n"
        f"app = create_app({{'TESTING': True, 'SECRET_KEY': 't', 'INSTANCE_PATH': {app.instance_path!r},"
        f" 'MAIL_SERVER': '127.0.0.1', 'MAIL_PORT': {controller.port}, 'MAIL_DELIVERY': 'queue'}})\n"
        "with app.app_context():\n"
        f"    outbox.deliver({message.id})\n")
    worker = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": os.getcwd()})
    # Until the server has the message (the worker first imports the app: slow on a busy machine).
    servers.wait_for(lambda: inbox.messages or worker.poll() is not None, interval=0.02)
    assert len(inbox.messages) == 1
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert _rows() == [("a@example.org", ob.SENDING, 1)]
    inbox.hold = 0
    assert ob.sweep()["uncertain"] == 0  # not stale yet: it may still be under way
    later = utcnow() + dt.timedelta(seconds=app.config["OUTBOX_SENDING_TIMEOUT"] + 1)
    assert ob.sweep(now=later) == {"uncertain": 1, "due": 0, "sent": 0}
    assert ob.deliver(message.id, now=later) == ob.UNCERTAIN
    run_queue(app)
    time.sleep(0.2)
    assert len(inbox.messages) == 1 and _rows() == [("a@example.org", ob.UNCERTAIN, 1)]


def test_release_queues_its_messages_and_returns_at_once(any_app, smtp):
    from grantflow.decisions.services import decide

    _, inbox = smtp
    world = build_world()
    decide(world.application, "decline", rationale="Outside the focus area.", actor=world.users["program_officer"])
    decide(world.other_application, "decline", rationale="Outside the focus area.",
           actor=world.users["program_officer"])
    db.session.commit()
    officer = any_app.test_client(user=world.users["program_officer"])
    # The SMTP server answers each message after HOLD seconds: a release that sent its messages
    # itself would take that long per message, however fast or busy the machine is.
    hold = inbox.hold = 20
    started = time.perf_counter()
    r = officer.post(f"/programs/{world.program.slug}/release", data={
        "outcomes": ["decline"], "when": "now", "count": "2", "reason": "Testing the queue."})
    elapsed = time.perf_counter() - started
    inbox.hold = 0
    assert r.status_code == 302 and elapsed < hold
    assert {status for _, status, _ in _rows()} == {ob.PENDING} and inbox.messages == []
    run_queue(any_app)
    assert len(inbox.wait_for(len(_rows()))) == len(_rows()) >= 2


def test_the_funder_admin_reads_the_log_and_sends_a_failed_message_again(any_app, smtp):
    _, inbox = smtp
    world = build_world()
    mine = send_mail("a@example.org", "About your application", "-", funder_id=world.funder.id)
    theirs = send_mail("b@example.org", "Hilltop's news", "-", funder_id=world.other_funder.id)
    mine.status = ob.FAILED
    mine.last_error = "SMTPServerDisconnected: gone"
    db.session.commit()
    admin = any_app.test_client(user=world.users["funder_admin"])
    page = admin.get("/funders/riverside/messages").get_data(as_text=True)
    assert "About your application" in page and "SMTPServerDisconnected: gone" in page
    assert "Hilltop's news" not in page
    assert admin.post(f"/funders/riverside/messages/{theirs.id}/send-again").status_code == 404
    assert admin.post(f"/funders/riverside/messages/{mine.id}/send-again").status_code == 302
    run_queue(any_app)
    assert sorted(m["To"] for m in inbox.wait_for(2)) == ["a@example.org", "b@example.org"]
    assert "a@example.org" in [m["To"] for m in outbox()]
