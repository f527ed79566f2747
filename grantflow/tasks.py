"""The task queue: Huey, with its SQLite storage in the instance folder by default and Redis when
``HUEY_URL`` (or, when it is unset, ``REDIS_URL``) is a ``redis://`` URL.

Nothing is built at import time. Each area declares its jobs with :func:`task` in its own
``tasks.py`` (create_app imports them all); :func:`get_huey` makes the app's Huey on first use
and registers every declared job, each run inside the app's context with a fresh database session.
``grantflow worker`` (a core command) first runs the hooks areas declared with
:func:`on_consumer_start` (to put back on the queue what a crash left unfinished), then Huey's
consumer with worker *processes* (WeasyPrint is slower in threads and unsafe with a shared font
configuration).

Settings (grantflow/config.py): ``HUEY_URL``, ``REDIS_URL``, ``HUEY_NAME``, ``HUEY_IMMEDIATE``,
``HUEY_MAX_DELAY``.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey

_TASKS: dict[str, tuple[Callable, dict]] = {}
_PERIODIC: dict[str, tuple[Callable, dict]] = {}
# Run by `grantflow worker` before its consumer starts; each may return a line to print.
_CONSUMER_START_HOOKS: list[Callable[[], str | None]] = []


def task(name: str, **options) -> Callable:
    """Declares a queue task; ``enqueue(name, *args)`` runs it on a worker."""
    def register(fn: Callable) -> Callable:
        _TASKS[name] = (fn, options)
        return fn
    return register


def periodic(name: str, **when) -> Callable:
    """Declares a task the worker runs on a schedule (``when`` is Huey's crontab: minute="*")."""
    def register(fn: Callable) -> Callable:
        _PERIODIC[name] = (fn, when)
        return fn
    return register


def on_consumer_start(fn: Callable[[], str | None]) -> Callable[[], str | None]:
    """Declares a hook that `grantflow worker` runs once, in the app's context, before its consumer
    starts."""
    _CONSUMER_START_HOOKS.append(fn)
    return fn


def consumer_start_hooks() -> list[str]:
    """Runs every hook declared with :func:`on_consumer_start`; returns the lines they report."""
    return [line for hook in _CONSUMER_START_HOOKS if (line := hook())]


def make_huey(app: Flask) -> Huey:
    name = app.config["HUEY_NAME"]
    url = app.config["HUEY_URL"]
    immediate = bool(app.config["HUEY_IMMEDIATE"])
    if url and str(url).startswith(("redis://", "rediss://", "unix://")):
        huey: Huey = RedisHuey(name, url=url, results=False, immediate=immediate)
    elif url:
        raise ValueError(f"HUEY_URL must be a redis:// URL (or unset for SQLite), not {url!r}")
    else:
        path = Path(app.instance_path) / "huey.sqlite"
        huey = SqliteHuey(name, filename=str(path), results=False, immediate=immediate)
    huey.grantflow_tasks = {
        task_name: huey.task(name=task_name, **options)(_in_app_context(app, fn))
        for task_name, (fn, options) in _TASKS.items()
    }
    for task_name, (fn, when) in _PERIODIC.items():
        huey.periodic_task(crontab(**when), name=task_name)(_in_app_context(app, fn))

    @huey.on_startup()
    def _worker_started():
        # A forked worker must not reuse the parent's database connections.
        with app.app_context():
            from grantflow.core.db import db
            db.engine.dispose(close=False)

    return huey


def _in_app_context(app: Flask, fn: Callable) -> Callable:
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with app.app_context():
            from grantflow.core.db import db
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()
    return run


def get_huey(app: Flask | None = None) -> Huey:
    app = app or current_app._get_current_object()
    huey = app.extensions.get("huey")
    if huey is None:
        huey = app.extensions["huey"] = make_huey(app)
    return huey


def enqueue(name: str, *args, app: Flask | None = None):
    """Puts one call of the task ``name`` on the queue."""
    return _wrapper(name, app)(*args)


def enqueue_at(name: str, eta: dt.datetime | None, *args, app: Flask | None = None):
    """Like :func:`enqueue`, not run before ``eta`` (an aware datetime; None or past: now)."""
    if eta is None or eta <= dt.datetime.now(dt.timezone.utc):
        return enqueue(name, *args, app=app)
    return _wrapper(name, app).schedule(args=args, eta=eta)


def _wrapper(name: str, app: Flask | None):
    wrappers = get_huey(app).grantflow_tasks
    if name not in wrappers:
        raise LookupError(f"no task named {name!r}")
    return wrappers[name]


def pending(name: str, app: Flask | None = None) -> list[tuple]:
    """Arguments of the calls of ``name`` still waiting in the queue (not yet taken by a worker)."""
    huey = get_huey(app)
    return [tuple(t.args) for t in huey.pending() if t.name == name]


def run_consumer(app: Flask, *, workers: int = 1, worker_type: str = "process", **options) -> None:
    """Runs Huey's consumer until it is stopped (SIGINT/SIGTERM); blocks."""
    huey = get_huey(app)
    # An idle worker polls at most every HUEY_MAX_DELAY seconds (Huey's default, 10 s, would make a
    # batch started on an idle queue wait that long for its first letter).
    options.setdefault("max_delay", float(app.config["HUEY_MAX_DELAY"]))
    consumer = huey.create_consumer(workers=workers, worker_type=worker_type, periodic=True,
                                    check_worker_health=True, **options)
    consumer.run()
