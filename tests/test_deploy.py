"""The files in deploy/ work: Debian's nginx accepts the site (`nginx -t`) and, running it in front
of `grantflow serve`, speaks TLS, redirects plain http, refuses bodies over MAX_CONTENT_LENGTH,
serves the static files, passes a request id the app answers with and keeps reset tokens out of its
log; `systemd-analyze verify` finds nothing to say about the units."""
from __future__ import annotations

import http.client
import json
import re
import shutil
import ssl
import subprocess

import pytest

from grantflow import ROOT
from grantflow.config import DEFAULTS
from tests import servers

DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "grantflow.conf"
RELEASE = "/opt/grantflow"  # where the files expect the release; the tests use this checkout


def _site_for_test(folder, *, http_port: int, https_port: int, upstream: int) -> str:
    """The site with this machine's paths and ports: the checkout, a test certificate, loopback."""
    site = SITE.read_text()
    replacements = {
        RELEASE + "/": f"{ROOT}/",
        "/etc/letsencrypt/live/grants.example.org/fullchain.pem": str(folder / "cert.pem"),
        "/etc/letsencrypt/live/grants.example.org/privkey.pem": str(folder / "key.pem"),
        "/var/log/nginx/": f"{folder}/",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
    }
    for old, new in replacements.items():
        assert old in site, old
        site = site.replace(old, new)
    return "\n".join(line for line in site.splitlines() if "listen [::]" not in line)


@pytest.fixture
def nginx_conf(tmp_path):
    """A main nginx.conf that includes the site (as Debian's includes sites-enabled), with a
    self-signed certificate made here; returns (conf, ports)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=grants.example.org", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    ports = {"http_port": servers.free_port(), "https_port": servers.free_port(), "upstream": servers.free_port()}
    (tmp_path / "site.conf").write_text(_site_for_test(tmp_path, **ports))
    temp = "".join(f"  {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nuser root;\n"
                    f"events {{ worker_connections 64; }}\n"
                    f"http {{\n  include /etc/nginx/mime.types;\n{temp}  access_log off;\n"
                    f"  include {tmp_path}/site.conf;\n}}\n")
    return conf, ports


def test_nginx_accepts_the_site(nginx_conf):
    conf, _ = nginx_conf
    result = subprocess.run(["nginx", "-t", "-p", str(conf.parent), "-c", str(conf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
    assert "warn" not in result.stderr, result.stderr


def test_the_upload_limit_and_timeouts_match_the_app():
    site = SITE.read_text()
    limit = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert limit * 1024 * 1024 == DEFAULTS["MAX_CONTENT_LENGTH"]
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", site).group(1))
    assert read_timeout > DEFAULTS["WEB_TIMEOUT"]


def test_requests_through_nginx_reach_the_app(nginx_conf, tmp_path):
    from tests.conftest import make_app

    conf, ports = nginx_conf
    app = make_app(tmp_path / "host")
    env = servers.env_for(app, GRANTFLOW_PROXY_COUNT=1, GRANTFLOW_WEB_WORKERS=1)
    with servers.web_server(env, tmp_path / "web.log", port=ports["upstream"]):
        subprocess.run(["nginx", "-p", str(conf.parent), "-c", str(conf)], check=True, capture_output=True)
        try:
            tls = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
            tls.check_hostname = False  # the certificate names grants.example.org; we dial 127.0.0.1

            def https(method, path, body=None, headers=None):
                conn = http.client.HTTPSConnection("127.0.0.1", ports["https_port"], context=tls, timeout=30)
                conn.request(method, path, body=body, headers={"Host": "grants.example.org", **(headers or {})})
                response = conn.getresponse()
                return response, response.read()

            response, body = https("GET", "/healthz")
            assert response.status == 200 and json.loads(body) == {"status": "ok"}
            request_id = response.headers["X-Request-ID"]
            assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, kept by the app
            servers.wait_for(lambda: request_id in (tmp_path / "web.log").read_text(), timeout=10)

            response, _ = https("POST", "/login", body=b"x" * (DEFAULTS["MAX_CONTENT_LENGTH"] + 1),
                                headers={"Content-Type": "application/octet-stream"})
            assert response.status == 413  # refused by nginx before the app sees it
            response, _ = https("POST", "/login", body=b"x" * 1024)
            assert response.status != 413

            response, css = https("GET", "/static/grantflow.css")
            assert response.status == 200 and css == (ROOT / "grantflow" / "static" / "grantflow.css").read_bytes()

            https("GET", "/reset/a-secret-reset-token?next=/dashboard")
            plain = http.client.HTTPConnection("127.0.0.1", ports["http_port"], timeout=10)
            plain.request("GET", "/dashboard", headers={"Host": "grants.example.org"})
            redirect = plain.getresponse()
            assert redirect.status == 301 and redirect.headers["Location"] == "https://grants.example.org/dashboard"
        finally:
            subprocess.run(["nginx", "-p", str(conf.parent), "-c", str(conf), "-s", "stop"], capture_output=True)
    lines = [json.loads(line) for line in (tmp_path / "grantflow.access.log").read_text().splitlines()]
    assert {"request_id": request_id, "uri": "/healthz", "status": 200}.items() <= lines[0].items()
    assert "a-secret-reset-token" not in (tmp_path / "grantflow.access.log").read_text()
    assert any(line["uri"] == "/reset/[redacted]?next=/dashboard" for line in lines)
    # gunicorn's access line has the token cut too (grantflow/core/logfilter.py).
    web_log = (tmp_path / "web.log").read_text()
    assert "/reset/[redacted]" in web_log and "a-secret-reset-token" not in web_log


def test_systemd_verifies_the_units(tmp_path):
    """The units as installed, but for the release's path (here: this checkout, whose
    .venv/bin/grantflow exists, as `verify` checks)."""
    assert shutil.which("systemd-analyze"), "make install installs systemd"
    units = []
    for name in ("grantflow-web.service", "grantflow-worker.service"):
        text = (DEPLOY / name).read_text()
        assert f"ExecStart={RELEASE}/.venv/bin/grantflow " in text
        (tmp_path / name).write_text(text.replace(RELEASE, str(ROOT)))
        units.append(str(tmp_path / name))
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stderr

    # `verify` does read the directives: a misspelled one is reported.
    broken = tmp_path / "broken.service"
    broken.write_text((tmp_path / "grantflow-web.service").read_text().replace("Restart=", "Restrt="))
    result = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True)
    assert "Unknown key name 'Restrt'" in result.stderr or "Unknown key 'Restrt'" in result.stderr, result.stderr


def test_the_units_run_what_the_readme_documents():
    web = (DEPLOY / "grantflow-web.service").read_text()
    worker = (DEPLOY / "grantflow-worker.service").read_text()
    assert "ExecStart=/opt/grantflow/.venv/bin/grantflow serve\n" in web
    assert "ExecStart=/opt/grantflow/.venv/bin/grantflow worker --workers 2\n" in worker
    assert "KillSignal=SIGINT" in worker  # Huey's graceful stop
    env = (DEPLOY / "grantflow.env.example").read_text()
    names = set(re.findall(r"^GRANTFLOW_(\w+)=", env, re.M))
    assert names <= set(DEFAULTS), names - set(DEFAULTS)
