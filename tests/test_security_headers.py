"""Security headers on every response: pages, error pages, JSON, downloads and static files; HSTS
on secure requests (or always, when a setting says so)."""
from __future__ import annotations

import io

import pytest

from grantflow.applications.models import Attachment
from grantflow.core.db import db
from tests.applications import files


def _directives(csp: str) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2] for d in csp.split(";") if d.strip()}


def assert_secure(response, *, sandboxed: bool = False) -> None:
    h = response.headers
    assert h["X-Frame-Options"] == "DENY"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    csp = _directives(h["Content-Security-Policy"])
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in h["Content-Security-Policy"] and "unsafe-eval" not in h["Content-Security-Policy"]
    if sandboxed:  # a download keeps its stricter policy
        assert csp["default-src"] == "'none'" and "sandbox" in csp
    else:
        assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
        assert csp["form-action"] == "'self'"
    assert "Strict-Transport-Security" not in h  # plain http


def test_headers_on_pages_errors_json_and_downloads(app, world, login):
    anon = app.test_client()
    for path in ("/", "/login", "/opportunities", "/static/grantflow.css"):
        r = anon.get(path)
        assert r.status_code == 200, path
        assert_secure(r)
    r = anon.get("/no-such-page")
    assert r.status_code == 404
    assert_secure(r)
    r = anon.post(f"/applications/{world.application.id}/autosave")  # JSON, 401
    assert r.status_code == 401 and r.is_json
    assert_secure(r)
    officer = login(world.users["program_officer"])
    r = officer.get("/dashboard")
    assert r.status_code == 200
    assert_secure(r)
    r = officer.get("/programs/health-2026/board.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert_secure(r)
    r = officer.get("/programs/health-2026/audit.json")
    assert r.status_code == 200 and r.is_json
    assert_secure(r)


def test_attachment_download_keeps_its_sandbox_and_gains_the_rest(app, login):
    from tests.applications.conftest import build_scene

    scene = build_scene(questions=False)
    client = login(scene.user)
    app_id = int(client.post("/programs/health-2026/apply").headers["Location"].rstrip("/").split("/")[-2])
    client.post(f"/applications/{app_id}/edit", content_type="multipart/form-data",
                data={"title": "T", "action": "save", "attachment": (io.BytesIO(files.pdf()), "n.pdf")})
    att = db.session.execute(db.select(Attachment)).scalar_one()
    r = client.get(f"/applications/{app_id}/attachments/{att.id}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert_secure(r, sandboxed=True)


def test_hsts_on_secure_requests(client):
    r = client.get("/", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.parametrize("app_config", [{"HSTS_ALWAYS": True}])
def test_hsts_always_behind_a_proxy_that_ends_tls(client):
    r = client.get("/")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
