"""What a load balancer asks: is this process alive (``/healthz``), and can it serve (``/readyz``)?

Liveness touches nothing outside the process, so a slow database never gets healthy web workers
restarted. Readiness checks what a request needs: the database answers, its schema is at the
migrations' head (a host started before ``grantflow db upgrade`` ran is kept out of rotation), the
queue's storage and the file storage are reachable. The answer names each check and the kind of
backend behind it (``postgresql``, ``redis``, ``s3``) and nothing else: no versions, hosts or
error texts; a failed check is logged with the request's id.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from huey import RedisHuey
from sqlalchemy import inspect, text

from grantflow.core.db import db
from grantflow.core.storage import storage

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@functools.cache
def migration_heads() -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _database() -> dict:
    db.session.execute(text("SELECT 1"))
    return {"backend": db.engine.dialect.name}


def _migrations() -> dict:
    conn = db.session.connection()
    current = (set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
               if inspect(conn).has_table("alembic_version") else set())
    if current != migration_heads():
        raise RuntimeError(f"the database is at {sorted(current) or 'no revision'}, "
                           f"the code at {sorted(migration_heads())}: run `grantflow db upgrade`")
    return {}


def _queue(app: Flask) -> dict:
    from grantflow.tasks import get_huey

    huey = get_huey(app)
    huey.pending_count()  # one round trip to the queue's storage
    return {"backend": "redis" if isinstance(huey, RedisHuey) else "sqlite"}


def _storage(app: Flask) -> dict:
    backend = storage(app)
    backend.ping()
    return {"backend": backend.kind}


def readiness(app: Flask) -> tuple[dict, bool]:
    """({"status": ..., "checks": {name: {"ok": ..., ...}}}, ready)."""
    checks: dict[str, Callable[[], dict]] = {
        "database": _database, "migrations": _migrations,
        "queue": lambda: _queue(app), "storage": lambda: _storage(app),
    }
    results: dict[str, dict] = {}
    for name, check in checks.items():
        try:
            results[name] = {"ok": True, **check()}
        except Exception:  # noqa: BLE001 - any failure means "not ready"; the log has the cause
            log.exception("readiness check %s failed", name)
            results[name] = {"ok": False}
            if name == "database":
                db.session.rollback()
    ready = all(r["ok"] for r in results.values())
    return {"status": "ready" if ready else "not ready", "checks": results}, ready
