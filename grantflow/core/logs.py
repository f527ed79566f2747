"""Log lines an operator can search: one JSON object per line (``LOG_FORMAT``), each with the id
of the request it belongs to.

Every request has an id: the ``X-Request-ID`` a proxy sent (nginx's ``$request_id``; letters,
digits, ``.``, ``_`` and ``-``, at most 128), or a new random one. It is set when the request
enters the app (before URL matching, whose converters already query the database), stamped on every
line logged meanwhile, sent back in the response's ``X-Request-ID`` and printed on the error page,
so a person who reports "something went wrong" can give the line to look for. gunicorn's access
lines carry it too (grantflow/core/serve.py).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar

from flask import Flask

HEADER = "X-Request-ID"
ENVIRON_KEY = "grantflow.request_id"
_VALID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_REQUEST_ID: ContextVar[str | None] = ContextVar("grantflow_request_id", default=None)
# Attributes a line may carry beyond the message (``log.info(..., extra={"status": 200})``).
FIELDS = ("request_id", "method", "status", "duration_ms", "remote_addr", "task")
# Their INFO lines are per-step chatter, not events an operator acts on.
NOISY = ("weasyprint", "fontTools", "alembic.runtime.plugins")


def begin_request(environ: dict):
    """The request's id (the proxy's when it is well-formed); returns a token for :func:`end_request`."""
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    request_id = incoming if _VALID.fullmatch(incoming) else uuid.uuid4().hex
    environ[ENVIRON_KEY] = request_id
    return _REQUEST_ID.set(request_id)


def end_request(token) -> None:
    _REQUEST_ID.reset(token)


def request_id() -> str | None:
    """The id of the request being handled, or None outside one."""
    return _REQUEST_ID.get()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id(),
            "pid": record.process,
        }
        entry.update({name: getattr(record, name) for name in FIELDS[1:] if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not getattr(record, "request_id", None):
            record.request_id = request_id() or "-"
        return super().format(record)


def formatter(log_format: str) -> logging.Formatter:
    if log_format not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(log_format: str) -> None:
    """The process's log lines (the root logger's one handler, to stderr) in ``log_format``."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_grantflow", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler._grantflow = True
        root.addHandler(handler)
    handler.setFormatter(formatter(log_format))
    root.setLevel(logging.INFO)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    @app.after_request
    def _send_request_id(response):
        if request_id():
            response.headers[HEADER] = request_id()
        return response

    @app.context_processor
    def _request_id():
        return {"request_id": request_id()}
