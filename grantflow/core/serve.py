"""The production web server: gunicorn, configured from the settings table (``WEB_BIND``,
``WEB_WORKERS``, ``WEB_THREADS``, ``WEB_TIMEOUT``, ``LOG_FORMAT``), run by ``grantflow serve``.

Workers are *sync* processes by default: each handles one request at a time, which is what
WeasyPrint needs (a PDF preview must not share a process with another thread's render), and what
the benchmark measures. ``WEB_THREADS`` > 1 switches to gunicorn's threaded worker. The app is made
once in the master and forked into the workers (less memory, a fast start); each worker then opens
its own database connections and storage client.

gunicorn's own lines (worker start and exit, timeouts) and its access lines are written like the
app's (``LOG_FORMAT``: JSON objects, or plain lines), each access line with the request's id, and in
JSON its method, status and duration as fields; the path stays in the message only, where the log
filters can edit it.
"""
from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from grantflow.core import logs

ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'


class GrantFlowLogger(Logger):
    """gunicorn's loggers, writing the app's lines (grantflow/core/logs.py)."""

    log_format = "json"

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(logs.formatter(self.log_format))

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        try:
            values = self.atoms(resp, req, environ, request_time)
            # The status as gunicorn's atoms read it: a response gunicorn makes for a request it
            # refuses itself (a malformed header) has only a status string.
            extra = {"request_id": environ.get(logs.ENVIRON_KEY), "method": environ.get("REQUEST_METHOD"),
                     "status": int(values["s"]), "duration_ms": round(request_time.total_seconds() * 1000, 1)}
            atoms = self.atoms_wrapper_class(values)
            self.access_log.info(self.cfg.access_log_format, atoms, extra=extra)
        except Exception:  # noqa: BLE001 - as gunicorn's own: a bad line must not fail the request
            self.exception("access log line failed")


class Server(BaseApplication):
    def __init__(self, app: Flask, options: dict) -> None:
        self.flask_app, self.options = app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.flask_app


def options(config) -> dict:
    threads = int(config["WEB_THREADS"])
    logger = type("Logger", (GrantFlowLogger,), {"log_format": config["LOG_FORMAT"]})
    return {
        "bind": [config["WEB_BIND"]],
        "workers": int(config["WEB_WORKERS"]),
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": int(config["WEB_TIMEOUT"]),
        "graceful_timeout": int(config["WEB_TIMEOUT"]),
        "keepalive": 5,
        "preload_app": True,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_FORMAT,
        "logger_class": logger,
        "control_socket_disable": True,
        "post_fork": _post_fork,
    }


def _post_fork(server, worker) -> None:
    """A forked worker must not reuse the master's database connections."""
    from grantflow.core.db import db

    with server.app.flask_app.app_context():
        db.engine.dispose(close=False)


def serve(app: Flask) -> None:
    """Runs gunicorn with the app until it is stopped (SIGTERM: workers finish their requests)."""
    Server(app, options(app.config)).run()
