"""The README's production commands, run as they are written: on a new, empty PostgreSQL database,
the suite's Redis and S3-compatible server, `grantflow db upgrade`, `grantflow serve` (gunicorn)
and `grantflow worker` start, and /readyz says the app is ready on PostgreSQL, Redis and S3."""
from __future__ import annotations

import json
import os
import re
import subprocess
import uuid

from grantflow import ROOT
from tests import servers

START, END = "<!-- production commands: run by tests/test_production.py -->", "<!-- /production commands -->"


def readme_commands() -> tuple[dict[str, str], list[str]]:
    """The block's exported variables (name -> the README's value) and its other lines."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(START, 1)[1].split(END, 1)[0]
    lines = block.strip().removeprefix("```sh").removesuffix("```").strip().splitlines()
    exports = dict(re.fullmatch(r"export (\w+)=(\S+)", line).groups() for line in lines if line.startswith("export "))
    return exports, [line for line in lines if not line.startswith("export ")]


def test_the_readme_production_commands_start_a_ready_app(pg_server, redis_server, s3_server, tmp_path):
    exports, commands = readme_commands()
    name = "prod_" + uuid.uuid4().hex[:10]
    with psycopg_admin(pg_server) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    bucket = "gf-prod-" + uuid.uuid4().hex[:8]
    servers.s3_client(s3_server).create_bucket(Bucket=bucket)
    port = servers.free_port()
    ours = {
        "GRANTFLOW_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{pg_server.port}/{name}",
        "PGPASSWORD": "unused-the-test-server-trusts-loopback",
        "GRANTFLOW_REDIS_URL": redis_server.rsplit("/", 1)[0] + "/7",
        "GRANTFLOW_STORAGE_URL": f"s3://{bucket}",
        "GRANTFLOW_S3_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": servers.S3_ENV["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": servers.S3_ENV["AWS_SECRET_ACCESS_KEY"],
        "GRANTFLOW_SECRET_KEY": uuid.uuid4().hex,
        "GRANTFLOW_WEB_BIND": f"127.0.0.1:{port}",
    }
    assert set(exports) == set(ours), "the README's production block sets other variables than this test"
    script = "set -e\n" + "".join(f"export {k}={v}\n" for k, v in ours.items())
    script += "\n".join(line.replace(exports["GRANTFLOW_WEB_BIND"], ours["GRANTFLOW_WEB_BIND"]) for line in commands)
    # A host of its own: an empty instance folder, no settings but the block's.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRANTFLOW_", "AWS_"))}
    env.update(PATH=f"{servers.BIN}:{env['PATH']}", GRANTFLOW_INSTANCE_PATH=str(tmp_path / "host"),
               AWS_DEFAULT_REGION="us-east-1")
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        proc = subprocess.Popen(["bash", "-c", script], env=env, cwd=tmp_path, stdout=out, stderr=err,
                                start_new_session=True)
    try:
        proc.wait(timeout=240)  # bash ends with curl; the server and the worker go on
        # The access line is written once the answer is sent; the worker reports when it listens.
        servers.wait_for(lambda: "GET /readyz" in stdout.read_text()
                         and "Huey consumer started with 2 process" in stderr.read_text(), timeout=60)
    finally:
        servers.kill_hard(proc)  # the whole group: bash's server and worker
    out, log = stdout.read_text(), stderr.read_text()
    assert proc.returncode == 0 and '{"checks"' in out, f"stdout:\n{out[-2000:]}\nstderr:\n{log[-4000:]}"
    readiness, _ = json.JSONDecoder().raw_decode(out, out.rindex('{"checks"'))  # curl writes no newline
    assert readiness == {"status": "ready", "checks": {
        "database": {"ok": True, "backend": "postgresql"}, "migrations": {"ok": True},
        "queue": {"ok": True, "backend": "redis"}, "storage": {"ok": True, "backend": "s3"}}}
    lines = [line[line.index('{"time"'):] for line in out.splitlines() if '{"time"' in line]
    # gunicorn's lines are JSON; its access line for /readyz has the request's id as a field.
    access = [json.loads(line) for line in lines if '"gunicorn.access"' in line]
    ready = [a for a in access if "GET /readyz" in a["message"]]
    assert ready and ready[-1]["status"] == 200 and re.fullmatch(r"[0-9a-f]{32}", ready[-1]["request_id"])
    assert "Starting gunicorn" in log and "Using worker: sync" in log
    with psycopg_admin(pg_server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def psycopg_admin(server):
    import psycopg

    return psycopg.connect(host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True)


def test_make_run_serves_the_demo_with_gunicorn_and_a_worker(tmp_path):
    """`make run`'s script: the demo loaded once into an empty instance, the worker beside the
    same server production uses."""
    port = servers.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTFLOW_")}
    env.update(GRANTFLOW_INSTANCE_PATH=str(tmp_path / "instance"), PORT=str(port))
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "run.sh")], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        servers.wait_for(lambda: proc.poll() is None and _ready(port) or proc.poll() is not None, timeout=240)
        assert proc.poll() is None, log.read_text()[-3000:]
        servers.wait_for(lambda: "Huey consumer started" in log.read_text(), timeout=60)
        status, body = servers.get_json(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and body["checks"]["database"]["backend"] == "sqlite"
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/opportunities") as r:
            assert "Community Health Equity Fund" in r.read().decode()
    finally:
        servers.stop(proc)
    text = log.read_text()
    assert "Starting gunicorn" in text and "Using worker: sync" in text
    assert re.search(r"INFO \[[0-9a-f]{32}\] ", text)  # plain lines in a terminal, with the request id


def _ready(port: int) -> bool:
    try:
        return servers.get_json(f"http://127.0.0.1:{port}/readyz", timeout=2)[0] == 200
    except OSError:
        return False


def test_each_request_to_the_server_has_a_context_of_its_own(tmp_path):
    """Flask reuses an app context that is already pushed: the server must not run inside one
    (as a CLI command does), or `g` and the database session would pass from request to request
    (here: a new visitor would get the previous one's CSRF token and no session cookie)."""
    from tests.conftest import make_app

    app = make_app(tmp_path / "host")
    env = servers.env_for(app, GRANTFLOW_WEB_WORKERS=1, GRANTFLOW_SESSION_COOKIE_SECURE="false")
    with servers.web_server(env, tmp_path / "web.log") as base:
        visitors = [servers.Browser() for _ in range(3)]
        tokens = [v.csrf(base + "/login") for v in visitors]
        assert len(set(tokens)) == 3
        assert all("session" in v.cookies() for v in visitors)


def test_a_request_gunicorn_refuses_itself_gets_its_400_and_an_access_line(tmp_path):
    """gunicorn answers a malformed request (here: two Content-Length headers) without the app and
    logs its access line with a response that has only a status string: the access line used to
    raise there, which killed the worker (exit 255) before it sent the 400."""
    import socket

    from tests.conftest import make_app

    app = make_app(tmp_path / "host")
    log = tmp_path / "web.log"
    with servers.web_server(servers.env_for(app, GRANTFLOW_WEB_WORKERS=1), log) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
            answer = s.recv(4096).decode()
        assert answer.startswith("HTTP/1.1 400 "), answer
        assert servers.get_json(base + "/healthz")[0] == 200
    text = log.read_text()
    assert "Exception in worker process" not in text and "exited with code" not in text, text[-3000:]
    assert text.count("Booting worker") == 1
    access = [json.loads(line) for line in text.splitlines() if '"gunicorn.access"' in line]
    assert [a["status"] for a in access if "POST /login" in a["message"]] == [400]


def test_serve_stops_at_once_when_told(tmp_path):
    """systemd stops the web server with SIGTERM to gunicorn's master (KillMode=mixed) and kills
    what is left after TimeoutStopSec: every worker must finish and exit by itself, at once when
    idle. A worker used to hang in the interpreter's exit (onnxruntime, which PyMuPDF 2 loads on
    import, made in the master before the fork and destroyed in the child) until gunicorn
    SIGKILLed it 30 s later."""
    import signal
    import time

    from tests.conftest import make_app

    app = make_app(tmp_path / "host")
    log = tmp_path / "web.log"
    proc, base = servers.start_web(servers.env_for(app, GRANTFLOW_WEB_WORKERS=2), log)
    try:
        for _ in range(4):
            assert servers.get_json(base + "/healthz")[0] == 200
        started = time.monotonic()
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        took = time.monotonic() - started
    finally:
        servers.stop(proc)
    text = log.read_text()
    assert "was sent SIGKILL" not in text and "was sent SIGTERM" not in text, text[-3000:]
    assert took < 10, f"the server took {took:.1f} s to stop"
    assert text.count("Worker exiting") == 2 and "Shutting down: Master" in text
