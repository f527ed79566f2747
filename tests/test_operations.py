"""What an operator relies on, in the app itself: /healthz and /readyz for the load balancer, a
request id on every log line, in the response and on the error page, JSON log lines, and the
client's address behind a trusted proxy."""
from __future__ import annotations

import io
import json
import logging
import re

import pytest
from flask import Blueprint, request
from flask_migrate import stamp

from grantflow.core import logs
from grantflow.core.db import db


def _stamp_head(app):
    """db.create_all() builds the schema without Alembic's table: mark it as migrated."""
    stamp(directory=app.extensions["migrate"].directory)


def test_healthz_answers_without_the_database(app):
    from sqlalchemy import event

    queries = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
    r = app.test_client().get("/healthz")
    assert queries == []
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}
    assert r.headers["Cache-Control"] == "no-store"


def test_readyz_says_what_is_ready_and_nothing_more(any_app):
    client = any_app.test_client()
    engine = db.engine.dialect.name
    r = client.get("/readyz")
    assert r.status_code == 503  # created by create_all: no migration revision recorded
    assert r.get_json() == {"status": "not ready", "checks": {
        "database": {"ok": True, "backend": engine}, "migrations": {"ok": False},
        "queue": {"ok": True, "backend": "sqlite"}, "storage": {"ok": True, "backend": "local"}}}
    _stamp_head(any_app)
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.get_json()
    assert body == {"status": "ready", "checks": {
        "database": {"ok": True, "backend": engine}, "migrations": {"ok": True},
        "queue": {"ok": True, "backend": "sqlite"}, "storage": {"ok": True, "backend": "local"}}}
    text = r.get_data(as_text=True)
    # No version, host, port, path or revision id in what anyone may read.
    assert not re.search(r"\d+\.\d+|127\.0\.0\.1|/tmp|instance|[0-9a-f]{12}", text), text


@pytest.fixture
def unreachable(tmp_path, s3_server):
    """The app with its queue on a Redis nobody listens to, and files in a bucket that does not exist."""
    from tests.conftest import _app_for
    from tests.servers import free_port

    yield from _app_for(tmp_path, None, {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                                         "STORAGE_URL": "s3://no-such-bucket", "S3_ENDPOINT_URL": s3_server})


def test_readyz_fails_when_the_queue_or_the_storage_is_unreachable(unreachable, caplog):
    app = unreachable
    _stamp_head(app)
    with caplog.at_level(logging.ERROR):
        r = app.test_client().get("/readyz")
    assert r.status_code == 503
    checks = r.get_json()["checks"]
    assert checks["queue"] == {"ok": False} and checks["storage"] == {"ok": False}
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert "no-such-bucket" not in r.get_data(as_text=True) and "Connection" not in r.get_data(as_text=True)
    failed = {rec.getMessage() for rec in caplog.records if rec.name == "grantflow.core.health"}
    assert failed == {"readiness check queue failed", "readiness check storage failed"}


@pytest.fixture
def json_lines():
    """Every line logged meanwhile, as the JSON formatter writes it (at the moment it is logged)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


def _probe_routes(app):
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/log")
    def log_something():
        logging.getLogger("grantflow.probe").info("working on it", extra={"status": 201})
        return {"remote_addr": request.remote_addr, "scheme": request.scheme}

    @bp.route("/probe/fail")
    def fail():
        raise RuntimeError("a bug")

    app.register_blueprint(bp)


def test_every_line_of_a_request_carries_its_id(app, json_lines):
    _probe_routes(app)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    r = client.get("/probe/log")
    rid = r.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    [line] = [l for l in json_lines() if l["logger"] == "grantflow.probe"]
    assert line["request_id"] == rid and line["message"] == "working on it" and line["status"] == 201
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert logs.request_id() is None  # outside a request

    # A proxy's id is kept; anything that is not a plain id is replaced, never echoed.
    assert client.get("/probe/log", headers={"X-Request-ID": "nginx-5f2a.77_x"}).headers["X-Request-ID"] == "nginx-5f2a.77_x"
    for bad in ("two words", "x" * 129, "inject;Set-Cookie: a=b", "<script>", "é"):
        assert re.fullmatch(r"[0-9a-f]{32}", client.get("/probe/log", headers={"X-Request-ID": bad}).headers["X-Request-ID"])

    # The error page gives the reference to quote, the log has the traceback under the same id.
    r = client.get("/probe/fail", headers={"X-Request-ID": "ref-123456"})
    assert r.status_code == 500
    assert '<code id="request-id">ref-123456</code>' in r.get_data(as_text=True)
    [error] = [l for l in json_lines() if l["level"] == "ERROR"]
    assert error["request_id"] == "ref-123456" and "RuntimeError: a bug" in error["exception"]
    page = client.get("/no/such/page", headers={"X-Request-ID": "ref-404"})
    assert page.status_code == 404 and "ref-404" in page.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"PROXY_COUNT": 1}])
def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(app):
    _probe_routes(app)
    r = app.test_client().get("/probe/log", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
                              environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.get_json() == {"remote_addr": "203.0.113.9", "scheme": "https"}


def test_without_a_proxy_forwarded_headers_are_ignored(app):
    _probe_routes(app)
    r = app.test_client().get("/probe/log", headers={"X-Forwarded-For": "203.0.113.9"},
                              environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert r.get_json()["remote_addr"] == "198.51.100.4"


def test_text_lines_carry_the_id_too():
    record = logging.LogRecord("grantflow.x", logging.WARNING, __file__, 1, "careful", (), None)
    assert "[-] grantflow.x: careful" in logs.TextFormatter().format(record)
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logs.formatter("xml")
