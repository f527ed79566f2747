"""Letters fixtures: a funder's program with award and decline decisions (created directly)."""
from __future__ import annotations

import datetime as dt

import pytest

from grantflow.core.db import db
from grantflow.decisions.models import Decision


def decide(application, outcome: str, amount_cents: int = 0) -> Decision:
    decision = Decision(application_id=application.id, program_id=application.program_id, outcome=outcome,
                        amount_cents=amount_cents)
    db.session.add(decision)
    db.session.flush()
    return decision


@pytest.fixture
def letters_world(world):
    """`world` plus grant dates, a contact, Eastside's contact person, and decisions: an award for
    Eastside, a decline for Northside. (Test funders have a letterhead and signatory: tests/factories.py.)"""
    program = world.program
    program.grant_start = dt.date(2027, 1, 1)
    program.grant_end = dt.date(2027, 12, 31)
    program.contact_name = "Pat Officer"
    program.contact_email = "po@riverside.org"
    world.cbo.contact_name, world.cbo.contact_title = "Maria Lopez", "Executive Director"
    world.award = decide(world.application, "award", 25_000_00)
    world.decline = decide(world.other_application, "decline")
    db.session.commit()
    return world


# --- the real task queue: `grantflow worker` in a subprocess, and a real Redis server --------------

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

GRANTFLOW = str(Path(sys.executable).parent / "grantflow")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def worker_process(app, *, workers: int = 1, log: Path | None = None, extra_env: dict | None = None):
    """Runs `grantflow worker` on the test app's instance folder (same SQLite database and queue)."""
    env = dict(os.environ, GRANTFLOW_INSTANCE_PATH=app.instance_path, GRANTFLOW_SECRET_KEY="test-secret-key",
               PYTHONUNBUFFERED="1")
    if app.config.get("HUEY_URL"):
        env["GRANTFLOW_HUEY_URL"] = app.config["HUEY_URL"]
    if app.config.get("DATABASE_URL"):
        env["GRANTFLOW_DATABASE_URL"] = app.config["DATABASE_URL"]
    env.update(extra_env or {})
    out = open(log or Path(app.instance_path) / "worker.log", "ab")
    proc = subprocess.Popen([GRANTFLOW, "worker", "-w", str(workers)], env=env, stdout=out, stderr=out,
                            start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        out.close()


def kill_hard(proc) -> None:
    """SIGKILL the consumer and its worker processes at once: no cleanup, no graceful stop."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def wait_for(predicate, timeout: float = 180, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server on a free port, in a temporary folder, stopped after the test."""
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    wait_for(lambda: _pings(client), timeout=15)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    proc.terminate()
    proc.wait(timeout=10)


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False
