"""The web process is SIGKILLed at random points of a submission and of a release, 20 times each
(more when all 20 kills fell on one side of the commit), on SQLite and on PostgreSQL. Afterwards: each application is submitted at most once, each applicant
gets at most one message per event (and, once the user retried, exactly one unless a send was cut
mid-way), and nothing saved before is lost."""
from __future__ import annotations

import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantflow.accounts.models import User
from grantflow.applications.models import DRAFT, SUBMITTED, Application, StatusChange
from grantflow.core import outbox as ob
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from grantflow.decisions.services import decide
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program
from tests import factories as F
from tests import smtpserver
from tests.applications.conftest import build_scene, complete_form

ROUNDS = 20
EXTRA_ROUNDS = 20  # at most, to land a kill on the side of the commit that 20 random ones missed


@pytest.fixture
def smtp():
    controller, inbox = smtpserver.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def app_config(smtp):
    controller, _ = smtp
    # No hold on releases: their messages leave at the commit, like any other.
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_DELIVERY": "inline",
            "RELEASE_HOLD_MINUTES": 0}


class Server:
    """The app in a killable child process (tests/killable_server.py)."""

    def __init__(self, app):
        config = {k: app.config[k] for k in (
            "SECRET_KEY", "INSTANCE_PATH", "DATABASE_URL", "MAIL_SERVER", "MAIL_PORT", "MAIL_DELIVERY",
            "RELEASE_HOLD_MINUTES",
            "SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "WTF_CSRF_ENABLED", "RATELIMIT_ENABLED")
            if k in app.config}
        config.update(TESTING=True, INSTANCE_PATH=app.instance_path, SERVER_NAME=None)
        self.launcher = subprocess.Popen(
            [sys.executable, "-m", "tests.killable_server", json.dumps(config)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": os.getcwd()})
        self.port = smtpserver.free_port()
        self.pid = None
        self.start()

    def start(self):
        self.launcher.stdin.write(f"start {self.port}\n")
        self.launcher.stdin.flush()
        line = self.launcher.stdout.readline()
        assert line.startswith("ready"), line
        self.pid = int(line.split()[1])
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                self.request("GET", "/healthz-or-home", {}, timeout=1)
                return
            except OSError:
                time.sleep(0.02)

    def kill(self):
        os.kill(self.pid, 9)
        time.sleep(0.05)

    def request(self, method, path, cookies, data=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        body = urllib.parse.urlencode(data or {}, doseq=True)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                   "Content-Type": "application/x-www-form-urlencoded"}
        conn.request(method, path, body=body if method == "POST" else None, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode()
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";")[0]
        conn.close()
        return resp.status, text

    def close(self):
        try:
            self.kill()
        except ProcessLookupError:
            pass
        self.launcher.stdin.close()
        self.launcher.wait(timeout=10)


def _cookies_for(app, user) -> dict[str, str]:
    client = app.test_client(user=user)
    return {"session": client.get_cookie("session").value}


def _committed(obj) -> int:
    """Commits and lets go of the test's connection, so that the server (another process) is never
    kept waiting for SQLite's write lock by this process; returns the object's id."""
    db.session.flush()
    ident = obj.id
    db.session.commit()
    db.session.close()
    return ident


def _fire_and_kill(server, method, path, cookies, data, delay):
    """Sends the request and SIGKILLs the server ``delay`` seconds later, whatever it was doing."""
    result = {}

    def send():
        try:
            result["status"] = server.request(method, path, cookies, data)[0]
        except (OSError, http.client.HTTPException) as exc:
            result["error"] = type(exc).__name__

    t = threading.Thread(target=send)
    t.start()
    time.sleep(delay)
    server.kill()
    t.join(timeout=15)
    server.start()
    return result


class KillDelays:
    """Kill delays drawn at random through a request that took `span` seconds once: ROUNDS of them,
    then more (at most EXTRA_ROUNDS) until kills have landed both before and after the commit.
    Once half the rounds are done and every kill so far fell on one side, each draw aims toward the
    other (the range shrinks when every kill came after the commit, grows when every one came
    before): where the commit falls in the request moves with the machine's load."""

    def __init__(self, rng: random.Random, span: float):
        self.rng, self.high, self.committed = rng, span * 1.3, []

    def __iter__(self):
        while len(self.committed) < ROUNDS or (len(set(self.committed)) < 2
                                               and len(self.committed) < ROUNDS + EXTRA_ROUNDS):
            if len(self.committed) >= ROUNDS // 2 and len(set(self.committed)) == 1:
                self.high *= 0.6 if self.committed[0] else 1.6
            yield self.rng.uniform(0, self.high)

    def saw(self, committed: bool) -> None:
        self.committed.append(committed)

    @property
    def both_sides(self) -> bool:
        return set(self.committed) == {True, False}


def _timed(server, method, path, cookies, data) -> float:
    started = time.perf_counter()
    server.request(method, path, cookies, data)
    return time.perf_counter() - started


def _submit_token(html: str) -> str:
    return re.search(r'name="submit_token" value="([^"]+)"', html).group(1)


def test_killed_during_submission(any_app, smtp):
    _, inbox = smtp
    rng = random.Random(13)
    scene = build_scene()
    server = Server(any_app)
    try:
        cookies = _cookies_for(any_app, scene.user)
        program_id, cbo_id = scene.program.id, scene.cbo.id
        form = complete_form(scene)
        db.session.close()

        def new_draft(title):
            return _committed(F.application(db.session.get(Program, program_id), db.session.get(Organization, cbo_id),
                                            status=DRAFT, title=title, summary="Saved summary"))

        # Calibrate: how long one submission takes here, so kills land all through it.
        calib = new_draft("Calibration")
        token = _submit_token(server.request("GET", f"/applications/{calib}/edit", cookies)[1])
        span = _timed(server, "POST", f"/applications/{calib}/edit", cookies,
                      {**form, "action": "submit", "submit_token": token})
        kills = KillDelays(rng, span)
        for i, delay in enumerate(kills):
            draft = new_draft(f"Saved before round {i}")
            token = _submit_token(server.request("GET", f"/applications/{draft}/edit", cookies)[1])
            typed = {**form, "title": f"Typed in round {i}", "action": "submit", "submit_token": token}
            _fire_and_kill(server, "POST", f"/applications/{draft}/edit", cookies, typed, delay)
            with Session(db.engine) as s:
                a = s.get(Application, draft)
                submitted = s.execute(select(func.count(StatusChange.id)).where(
                    StatusChange.application_id == draft, StatusChange.to_status == SUBMITTED)).scalar_one()
                assert submitted <= 1
                if a.status == DRAFT:  # the whole submission rolled back: the earlier save is intact
                    assert (a.title, a.summary) == (f"Saved before round {i}", "Saved summary")
                else:
                    assert a.status == SUBMITTED and a.title == f"Typed in round {i}" and submitted == 1
                kills.saw(a.status == SUBMITTED)
            # The applicant tries again, as they would after an error page.
            if a.status == DRAFT:
                token = _submit_token(server.request("GET", f"/applications/{draft}/edit", cookies)[1])
                status, _ = server.request("POST", f"/applications/{draft}/edit", cookies,
                                           {**typed, "submit_token": token})
                assert status == 302
        ob.sweep()
        with Session(db.engine) as s:
            rows = s.execute(select(ob.OutboxMessage.key, ob.OutboxMessage.status)
                             .where(ob.OutboxMessage.event == "application.submitted")).all()
            counts = s.execute(select(StatusChange.application_id, func.count()).where(
                StatusChange.to_status == SUBMITTED).group_by(StatusChange.application_id)).all()
        submissions = len(kills.committed) + 1  # each round's, and the calibration's
        assert all(n == 1 for _, n in counts) and len(counts) == submissions
        assert len(rows) == len({k for k, _ in rows}) == submissions  # one message per submission
        received = [m["Subject"] for m in inbox.wait_for(submissions, timeout=5)]
        assert len(received) <= submissions
        uncertain = sum(status == ob.UNCERTAIN or status == ob.SENDING for _, status in rows)
        assert len(received) >= submissions - uncertain
        assert kills.both_sides, kills.committed  # the kills landed on both sides of the commit
    finally:
        server.close()


def test_killed_during_release(any_app, smtp):
    _, inbox = smtp
    rng = random.Random(7)
    funder = F.funder(name="Riverside Health Foundation", slug="riverside")
    officer = F.user("po@riverside.org", "Pat Officer", org=funder, role=R.PROGRAM_OFFICER)
    server = Server(any_app)
    applicants = 4
    try:
        cookies = _cookies_for(any_app, officer)
        funder_id, officer_id = funder.id, officer.id
        db.session.close()

        def cycle(n) -> str:
            funder_, officer_ = db.session.get(Organization, funder_id), db.session.get(User, officer_id)
            program = F.program(funder_, slug=f"cycle-{n}", title=f"Cycle {n}")
            for k in range(applicants):
                org = F.cbo(name=f"Org {n}-{k}", slug=f"org-{n}-{k}")
                F.user(f"director{k}@cycle{n}.example.org", org=org, role=R.APPLICANT)
                decide(F.application(program, org), "decline", rationale="Outside the focus area.", actor=officer_)
            slug = program.slug
            _committed(program)
            return slug

        release = {"outcomes": ["award", "decline", "waitlist"], "when": "now", "count": str(applicants),
                   "reason": "Testing a release killed midway."}
        span = _timed(server, "POST", f"/programs/{cycle('calibration')}/release", cookies, release)
        kills = KillDelays(rng, span)
        for i, delay in enumerate(kills):
            slug = cycle(i)
            _fire_and_kill(server, "POST", f"/programs/{slug}/release", cookies, release, delay)
            with Session(db.engine) as s:
                keys = s.execute(select(ob.OutboxMessage.recipient).where(
                    ob.OutboxMessage.event == "decision.released",
                    ob.OutboxMessage.recipient.like(f"%@cycle{i}.example.org"))).scalars().all()
            assert len(keys) == len(set(keys)) and len(keys) in (0, applicants)  # all or nothing
            kills.saw(len(keys) == applicants)
            # The officer presses release again: refused (nothing left to release) if it had gone through.
            assert server.request("POST", f"/programs/{slug}/release", cookies, release)[0] == \
                (422 if len(keys) == applicants else 302)
        ob.sweep()
        with Session(db.engine) as s:
            rows = s.execute(select(ob.OutboxMessage.recipient, ob.OutboxMessage.status).where(
                ob.OutboxMessage.event == "decision.released")).all()
            unnotified = s.execute(select(func.count(Decision.id)).where(Decision.notified_at.is_(None))).scalar_one()
        assert kills.both_sides, kills.committed  # the kills landed on both sides of the commit
        recipients = [r for r, _ in rows]
        assert len(recipients) == len(set(recipients)) == (len(kills.committed) + 1) * applicants \
            and unnotified == 0
        received = [m["To"] for m in inbox.wait_for(len(recipients), timeout=5)]
        assert len(received) == len(set(received))  # nobody told twice
        uncertain = sum(status in (ob.UNCERTAIN, ob.SENDING) for _, status in rows)
        assert len(received) >= len(recipients) - uncertain
    finally:
        server.close()
