"""Several hosts over PostgreSQL, Redis and S3: two web servers (`grantflow serve`, two gunicorn
workers each) and two queue workers (`grantflow worker`), each with an instance folder of its own
and nothing shared but the environment. Sign-in limits count across all of them, a logout on one
host ends the session on the other, and a letter batch split across both workers issues each
letter once, into the bucket."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import urllib.request
import uuid
import zipfile
from collections import Counter
from types import SimpleNamespace

import pytest
import redis
from flask_migrate import stamp
from sqlalchemy import select

from grantflow.accounts.sessions import UserSession
from grantflow.core import files
from grantflow.core.db import db
from grantflow.letters import services
from grantflow.letters.models import IssuedLetter, LetterBatch
from tests import factories as F
from tests import servers
from tests.conftest import _admin, build_world, make_app
from tests.letters.conftest import decide

LETTERS = 16
pytestmark = pytest.mark.xdist_group("scale_out")  # the module's stack of servers, started once


@pytest.fixture(scope="module")
def stack(pg_server, pg_template, redis_server, s3_server, tmp_path_factory):
    base = tmp_path_factory.mktemp("hosts")
    name = "scale_" + uuid.uuid4().hex[:10]
    with _admin(pg_server) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    bucket = "gf-scale-" + uuid.uuid4().hex[:8]
    servers.s3_client(s3_server).create_bucket(Bucket=bucket)
    redis_url = redis_server.rsplit("/", 1)[0] + "/3"
    redis.Redis.from_url(redis_url).flushdb()
    shared = {"REDIS_URL": redis_url, "STORAGE_URL": f"s3://{bucket}", "S3_ENDPOINT_URL": s3_server}
    app = make_app(base / "tests", pg_server.url(name), **shared)
    ctx = app.app_context()
    ctx.push()
    stamp(directory=app.extensions["migrate"].directory)  # the template's schema is the migrations' head
    world = build_world()
    world.decisions = [decide(F.application(world.program, F.cbo(name=f"Neighbors {i:02d}")), "award",
                              (10_000 + i) * 100) for i in range(LETTERS)]
    world.logout_user = F.user("leaving@eastside.org", "Lee Leaving", org=world.cbo, role="applicant")
    world.limited_user = F.user("typos@eastside.org", "Tai Typos", org=world.cbo, role="applicant")
    db.session.commit()

    env = servers.env_for(app, GRANTFLOW_SESSION_COOKIE_SECURE="false", GRANTFLOW_REMEMBER_COOKIE_SECURE="false",
                          GRANTFLOW_LETTERS_CHUNK_SIZE=1, GRANTFLOW_WEB_WORKERS=2)
    hosts = [dict(env, GRANTFLOW_INSTANCE_PATH=str(base / f"host-{i}")) for i in range(4)]
    logs = [base / f"host-{i}.log" for i in range(4)]
    procs = []
    try:
        for host, log in zip(hosts[2:], logs[2:]):
            with open(log, "wb") as out:
                procs.append(subprocess.Popen([servers.GRANTFLOW, "worker", "-w", "1"], env=host, stdout=out,
                                              stderr=out, start_new_session=True))
        web = []
        for host, log in zip(hosts[:2], logs[:2]):
            proc, base = servers.start_web(host, log)
            procs.append(proc)
            web.append(base)
        servers.wait_for(lambda: all("Huey consumer started" in log.read_text() for log in logs[2:]), timeout=90)
        yield SimpleNamespace(app=app, web=web, world=world, logs=logs, redis=redis_url)
    finally:
        servers.stop_all(procs)
    db.session.remove()
    db.engine.dispose()
    ctx.pop()
    with _admin(pg_server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_every_host_is_ready_on_the_shared_services(stack):
    for base in stack.web:
        status, body = servers.get_json(base + "/readyz")
        assert status == 200 and {k: v.get("backend") for k, v in body["checks"].items()} == {
            "database": "postgresql", "migrations": None, "queue": "redis", "storage": "s3"}


def test_failed_sign_ins_count_on_every_host(stack):
    """LOGIN_ACCOUNT_RATE_LIMIT allows 5 failures a minute per account: alternating between the
    hosts (and each host's two workers), the sixth is refused, because the counters are in Redis."""
    browser = servers.Browser()
    email = stack.world.limited_user.email
    statuses = [browser.log_in(stack.web[i % 2], email, "not the password") for i in range(6)]
    assert statuses == [422] * 5 + [429]
    assert any(b"LIMITER" in key and b"login:typos@eastside.org" in key for key in redis.Redis.from_url(stack.redis).keys())
    # The right password is refused too while the limit holds: no guessing around it on another host.
    assert browser.log_in(stack.web[1], email, F.PASSWORD) == 429


def test_a_logout_on_one_host_ends_the_session_on_the_other(stack):
    a, b = stack.web
    browser = servers.Browser()
    assert browser.log_in(a, stack.world.logout_user.email, F.PASSWORD) == 302
    assert browser.open(b + "/dashboard")[0] == 200  # the session is the database's, not the host's
    stolen = "; ".join(f"{k}={v}" for k, v in browser.cookies().items())
    status, headers, _ = browser.open(a + "/logout", {"csrf_token": browser.csrf(a + "/dashboard")})
    assert status == 302
    status, headers, _ = servers.Browser().open(b + "/dashboard", headers={"Cookie": stolen})
    assert status == 302 and "/login" in headers["Location"]  # the old cookie opens nothing anywhere
    db.session.expire_all()
    row = db.session.execute(select(UserSession).where(UserSession.user_id == stack.world.logout_user.id)).scalar_one()
    assert row.ended_at is not None and row.ended_reason == "logged out"


def test_a_letter_batch_split_across_two_workers_issues_each_letter_once(stack):
    a, b = stack.web
    w = stack.world
    officer = servers.Browser()
    assert officer.log_in(a, w.users["program_officer"].email, F.PASSWORD) == 302
    token = officer.csrf(a + "/programs/health-2026/letters")
    status, headers, _ = officer.open(a + "/programs/health-2026/letters/batches", {"csrf_token": token, "submit": "x"})
    assert status == 302
    batch_id = int(headers["Location"].rstrip("/").split("/")[-1])

    def progress():
        status, _, body = officer.open(f"{b}/programs/health-2026/letters/batches/{batch_id}/status")
        assert status == 200
        return json.loads(body)

    final = servers.wait_for(lambda: (p := progress())["finished"] and p, timeout=300, interval=0.5)
    assert final["done"] == LETTERS and final["error"] is None

    db.session.expire_all()
    batch = db.session.get(LetterBatch, batch_id)
    letters = db.session.execute(select(IssuedLetter)).scalars().all()
    assert Counter(l.decision_id for l in letters) == Counter(batch.decision_ids)  # each exactly once
    assert all(l.superseded_at is None and l.batch_id == batch_id for l in letters)
    for letter in letters:
        assert hashlib.sha256(files.read(services.letter_key(letter))).hexdigest() == letter.sha256
    # Both workers took chunks of it (one letter per chunk here).
    executed = [sum('letters_issue_chunk' in line and "Executing" in line for line in log.read_text().splitlines())
                for log in stack.logs[2:]]
    assert all(n >= 1 for n in executed) and sum(executed) >= LETTERS, executed
    # The ZIP, from the bucket, through a signed URL handed out by the other host.
    status, headers, _ = officer.open(b + final["zip_url"])
    assert status == 303
    with urllib.request.urlopen(headers["Location"]) as signed:
        with zipfile.ZipFile(io.BytesIO(signed.read())) as archive:
            assert len(archive.namelist()) == LETTERS
