"""Real servers and processes the tests start on loopback: redis-server (Debian's), moto's
S3-compatible server (PyPI's moto[server]), `grantflow worker` and `grantflow serve`.

The fixtures in tests/conftest.py start Redis and the S3 server once per session; each test gets an
emptied Redis database and a bucket of its own.
"""
from __future__ import annotations

import functools
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
GRANTFLOW = str(BIN / "grantflow")
# Fake credentials for moto (it accepts any); boto3 in the tests and in the servers they start.
S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
# The settings a process started by a test takes from the test's app, so it sees the same data.
SHARED_SETTINGS = ("DATABASE_URL", "HUEY_URL", "REDIS_URL", "STORAGE_URL", "STORAGE_FOLDER", "S3_ENDPOINT_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 180, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


def _answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM to the process group, then SIGKILL if it lingers."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def kill_hard(proc) -> None:
    """SIGKILL a process and its children at once: no cleanup, no graceful stop."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _serve_on_free_port(start, timeout: float, interval: float, attempts: int = 3) -> tuple[subprocess.Popen, int]:
    """``start(port)`` -> a process that listens on ``port``; on another port if it exits first
    (a port found free can be taken before the server binds it: parallel test workers)."""
    for _ in range(attempts):
        port = free_port()
        proc = start(port)

        def listening() -> bool:
            if proc.poll() is not None:
                return True  # exited: try another port
            return _answers(port)

        wait_for(listening, timeout=timeout, interval=interval)
        if proc.poll() is None:
            return proc, port
    raise AssertionError(f"{proc.args[0]} exited ({proc.returncode}) on {attempts} ports")


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    folder.mkdir(parents=True, exist_ok=True)
    proc, port = _serve_on_free_port(lambda port: subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True),
        timeout=15, interval=0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


def start_s3(log: Path) -> tuple[subprocess.Popen, str]:
    """moto's server: a real HTTP server speaking S3's protocol, in its own process."""
    def start(port: int) -> subprocess.Popen:
        with open(log, "ab") as out:
            return subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                    stdout=out, stderr=out, env=dict(os.environ, **S3_ENV), start_new_session=True)

    proc, port = _serve_on_free_port(start, timeout=30, interval=0.1)
    return proc, f"http://127.0.0.1:{port}"


@functools.cache
def s3_client(endpoint: str):
    import boto3

    return boto3.session.Session(**{k.lower(): v for k, v in S3_ENV.items() if k != "AWS_DEFAULT_REGION"},
                                 region_name="us-east-1").client("s3", endpoint_url=endpoint)


def env_for(app, **extra) -> dict:
    """The environment of a `grantflow` process that shares the test app's data."""
    env = dict(os.environ, **S3_ENV, GRANTFLOW_INSTANCE_PATH=app.instance_path, GRANTFLOW_SECRET_KEY=app.config["SECRET_KEY"],
               PYTHONUNBUFFERED="1")
    for name in SHARED_SETTINGS:
        if app.config.get(name):
            env[f"GRANTFLOW_{name}"] = str(app.config[name])
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextmanager
def worker_process(app, *, workers: int = 1, log: Path | None = None, extra_env: dict | None = None):
    """Runs `grantflow worker` on the test app's data (its database, queue and storage)."""
    out = open(log or Path(app.instance_path) / "worker.log", "ab")
    proc = subprocess.Popen([GRANTFLOW, "worker", "-w", str(workers)], env=env_for(app, **(extra_env or {})),
                            stdout=out, stderr=out, start_new_session=True)
    try:
        yield proc
    finally:
        stop(proc)
        out.close()


def get_json(url: str, timeout: float = 10) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def start_web(env: dict, log: Path, *, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Starts `grantflow serve` (gunicorn) with ``env``; returns it and its base URL once /healthz answers."""
    port = port or free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen([GRANTFLOW, "serve"], env=dict(env, GRANTFLOW_WEB_BIND=f"127.0.0.1:{port}"),
                                stdout=out, stderr=out, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            return get_json(base + "/healthz", timeout=2)[0] == 200
        except OSError:
            return False

    try:
        wait_for(up, timeout=90, interval=0.1)
    except BaseException:
        stop(proc)
        raise
    return proc, base


@contextmanager
def web_server(env: dict, log: Path, *, port: int | None = None):
    """`grantflow serve` while the block runs; yields its base URL."""
    proc, base = start_web(env, log, port=port)
    try:
        yield base
    finally:
        stop(proc, timeout=30)


def stop_all(procs: list[subprocess.Popen], timeout: float = 30) -> None:
    """SIGINT to every group at once (gunicorn's quick stop; Huey's graceful one, immediate when
    idle), then wait for each (SIGTERM, then SIGKILL, for any that lingers)."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop(proc, timeout)


class Browser:
    """A client of real servers: keeps cookies (by host, whatever the port: as a browser does for
    two hosts behind one name), follows no redirect, reads CSRF tokens from the forms it gets."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def open(self, url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def csrf(self, url: str) -> str:
        status, _, page = self.open(url)
        assert status == 200, (url, status)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def cookies(self) -> dict[str, str]:
        return {c.name: c.value for c in self.jar}

    def log_in(self, base: str, email: str, password: str) -> int:
        status, _, page = self.open(base + "/login", {"email": email, "password": password,
                                                       "csrf_token": self.csrf(base + "/login")})
        assert status != 400, page  # a refused CSRF token says why
        return status
