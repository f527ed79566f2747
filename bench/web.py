"""Benchmark: GrantFlow under gunicorn (2 sync workers) driven by wrk, against a floor measured in
the same run.

The data is `grantflow demo` (its closed 2025 cycle is the ranking board's program) and, second, a
demo whose 2025 cycle has 5,000 applications. The floor is bench/floor_app.py: a minimal Flask +
SQLAlchemy + Jinja page listing the board's rows (the same number, from the same SQLite database:
typed models, two `select()`s, a template with a layout, `url_for` per row), under gunicorn with
the same two sync workers; its `/bare` page (one text query, an inline template) is measured too,
for reference. Each request of the app is a logged-in user's, with a real server-side session made
the way tests/conftest.py's LoginClient makes one; the autosave POSTs carry the session's CSRF
token (a wrk Lua script). Pages: the ranking board (program officer), the open program's page and
the dashboard (an applicant with a draft), the dashboard of a reviewer (their list of assigned
applications), and that applicant's autosave.

The machine is shared and its speed drifts, so the ratio is measured in pairs: floor, then board,
REPEATS times at each connection count; the ratio of each pair is reported with the median and
the spread. A run lasts at least DURATION seconds, longer when the board is slow (three times
connections / board rate: at 64 connections on a loaded machine a request waits seconds behind the
others), and the requests wrk leaves queued are answered before the next run starts.

    .venv/bin/python bench/web.py                      # 16 and 64 connections, 5 minutes or more
    .venv/bin/python bench/web.py --repeats 5 --duration 8
    .venv/bin/python bench/web.py --large 0            # without the 5,000-application cycle

The last line: board_rps=… floor_rps=… board_ratio=… board_p99_ms=… autosave_rps=… errors=…
(the connection count with the lower board_ratio; errors over every run).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import socket
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, demo_instance

BIN = Path(sys.executable).parent
SECRET = "bench-web-secret-key"
AGENT = "grantflow-bench"
OFFICER, REVIEWER = "officer1@rchf.example.org", "reviewer1@rchf.example.org"


@dataclass
class Run:
    rps: float
    p99_ms: float
    errors: int
    requests: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, connections: int, duration: float, *, cookie: str, idle: str, script: Path | None = None) -> Run:
    """One wrk run. It is as long as three waits of a request behind all the others (``duration``
    is sized by the caller), its timeout as long as the run; afterwards, a request to ``idle`` on
    the same server waits for the requests wrk left queued when it stopped (the server still
    answers them: the next run would wait behind them, and they would take CPU from the other
    server's run)."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{round(duration)}s", "--latency", f"--timeout={round(duration)}s",
           "-H", f"Cookie: {cookie}", "-H", f"User-Agent: {AGENT}"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    urllib.request.urlopen(idle, timeout=600).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(x) for x in m.groups())
    return Run(rps, p99, errors, requests)


class Sessions:
    """Cookies (and a CSRF token) of real server-side sessions of demo users."""

    def __init__(self, instance: Path) -> None:
        os.environ.update(GRANTFLOW_INSTANCE_PATH=str(instance), GRANTFLOW_SECRET_KEY=SECRET)
        from flask_login import FlaskLoginClient

        from grantflow import create_app

        self.app = create_app()
        self.app.test_client_class = FlaskLoginClient

    def cookie(self, email: str, page: str) -> tuple[str, str]:
        """(Cookie header, CSRF token) of a new session of ``email``, after a first visit to ``page``."""
        from sqlalchemy import select

        from grantflow.accounts import sessions
        from grantflow.accounts.models import User
        from grantflow.core.db import db

        with self.app.app_context():
            user = db.session.execute(select(User).where(User.email == email)).scalar_one()
            sessions.start(user)
            db.session.commit()
            client = self.app.test_client(user=user)
            response = client.get(page, headers={"User-Agent": AGENT})
            assert response.status_code == 200, (email, page, response.status_code)
            token = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True)).group(1)
            return f"session={client.get_cookie('session').value}", token

    def a_draft(self) -> tuple[int, str]:
        """The first draft of the open cycle and the email of an applicant of its organization."""
        from sqlalchemy import select

        from grantflow.accounts.models import Membership, User
        from grantflow.applications.models import Application
        from grantflow.core import roles as R
        from grantflow.core.db import db

        with self.app.app_context():
            return tuple(db.session.execute(
                select(Application.id, User.email)
                .join(Membership, Membership.organization_id == Application.organization_id)
                .join(User, User.id == Membership.user_id)
                .where(Membership.role == R.APPLICANT, Application.status == "draft")
                .order_by(Application.id, User.id).limit(1)
            ).one())


class Servers:
    """The app (`grantflow serve`) and the floor (gunicorn), each with 2 sync workers."""

    def __init__(self, instance: Path, program: str, logs: Path) -> None:
        self.app_port, self.floor_port = free_port(), free_port()
        env = dict(os.environ, GRANTFLOW_INSTANCE_PATH=str(instance), GRANTFLOW_SECRET_KEY=SECRET,
                   GRANTFLOW_WEB_WORKERS="2", GRANTFLOW_WEB_BIND=f"127.0.0.1:{self.app_port}",
                   GRANTFLOW_SESSION_COOKIE_SECURE="false", PYTHONUNBUFFERED="1",
                   FLOOR_DATABASE_URL=f"sqlite:///{instance / 'grantflow.sqlite'}")
        logs.mkdir(parents=True, exist_ok=True)
        self.procs = [
            subprocess.Popen([str(BIN / "grantflow"), "serve"], env=env, start_new_session=True,
                             stdout=open(logs / "app.log", "ab"), stderr=subprocess.STDOUT),
            subprocess.Popen([str(BIN / "gunicorn"), "--chdir", str(ROOT / "bench"), "-w", "2",
                              "-b", f"127.0.0.1:{self.floor_port}", "--no-control-socket", "floor_app:app"],
                             env=env, start_new_session=True, stdout=open(logs / "floor.log", "ab"),
                             stderr=subprocess.STDOUT),
        ]
        self.app, self.floor = f"http://127.0.0.1:{self.app_port}", f"http://127.0.0.1:{self.floor_port}"
        deadline = time.monotonic() + 120
        for url in (self.app + "/healthz", f"{self.floor}/programs/{program}/board"):
            while True:
                try:
                    urllib.request.urlopen(url, timeout=5).read()
                    break
                except OSError:
                    if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                        self.stop()
                        raise SystemExit(f"a server did not start; see {logs}")
                    time.sleep(0.2)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def run_seconds(connections: int, rps: float, shortest: float) -> float:
    """Long enough that each connection's request, queued behind the others' (connections / rps
    seconds), is answered three times over within the run."""
    return min(max(shortest, 3 * connections / rps), 120)


def sequential_rps(url: str, cookie: str, workers: int = 2) -> float:
    """The rate the server's workers manage, from a few requests one after another (to size the
    first runs)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": AGENT})
    start = time.monotonic()
    for _ in range(3):
        urllib.request.urlopen(request, timeout=600).read()
    return workers * 3 / (time.monotonic() - start)


def rows_of(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": AGENT})
    page = urllib.request.urlopen(request, timeout=60).read().decode()
    return int(re.search(r"<caption>\s*(\d+) application", page).group(1))


def autosave_script(folder: Path, cookie: str, token: str) -> Path:
    body = urllib.parse.urlencode({"csrf_token": token, "title": "Healthy homes for every block",
                                   "summary": "Repairs that keep asthma away.", "amount_requested": "40,000",
                                   "client_rev": "bench"})
    script = folder / "autosave.lua"
    script.write_text(f'wrk.method = "POST"\nwrk.body = "{body}"\n'
                      f'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                      f'wrk.headers["X-CSRFToken"] = "{token}"\n')
    return script


def measure(label: str, instance: Path, program: str, connections: list[int], duration: float, repeats: int,
            folder: Path, pages: bool) -> dict[int, dict]:
    from grantflow.demo.build import OPEN_PROGRAM

    sessions = Sessions(instance)
    officer, _ = sessions.cookie(OFFICER, f"/programs/{program}/board")
    servers = Servers(instance, program, folder / f"logs-{label}")
    results: dict[int, dict] = {}
    try:
        board_url = f"{servers.app}/programs/{program}/board"
        floor_url, bare_url = f"{servers.floor}/programs/{program}/board", f"{servers.floor}/programs/{program}/bare"
        rows = rows_of(board_url, officer)
        assert rows == rows_of(floor_url, officer) == rows_of(bare_url, officer), "the floor lists other rows"
        print(f"[{label}] {program}: the board and the floor list {rows} rows", flush=True)
        extra = {}
        if pages:
            reviewer, _ = sessions.cookie(REVIEWER, "/dashboard")
            draft, email = sessions.a_draft()
            applicant, token = sessions.cookie(email, f"/applications/{draft}/edit")
            extra = {
                "program": (f"{servers.app}/programs/{OPEN_PROGRAM}", applicant, None),
                "reviewer": (f"{servers.app}/dashboard", reviewer, None),
                "applicant": (f"{servers.app}/dashboard", applicant, None),
                "autosave": (f"{servers.app}/applications/{draft}/autosave", applicant,
                             autosave_script(folder, applicant, token)),
            }
        app_idle, floor_idle = f"{servers.app}/healthz", f"{servers.floor}/healthz"
        rate = sequential_rps(board_url, officer)  # the slowest page measured
        for c in connections:
            seconds = run_seconds(c, rate, duration)
            wrk(floor_url, c, seconds / 2, cookie=officer, idle=floor_idle)  # warm both
            wrk(board_url, c, seconds / 2, cookie=officer, idle=app_idle)
            pairs = []
            for _ in range(repeats):
                floor = wrk(floor_url, c, seconds, cookie=officer, idle=floor_idle)
                board = wrk(board_url, c, seconds, cookie=officer, idle=app_idle)
                pairs.append((floor, board))
            if not all(f.rps and b.rps for f, b in pairs):
                raise SystemExit(f"[{label}] c={c}: a run completed no request in {seconds:.0f}s")
            ratios = [b.rps / f.rps for f, b in pairs]
            result = {
                "board_rps": statistics.median(b.rps for _, b in pairs),
                "floor_rps": statistics.median(f.rps for f, _ in pairs),
                "ratio": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios),
                "board_p99_ms": max(b.p99_ms for _, b in pairs),
                "errors": sum(f.errors + b.errors for f, b in pairs),
            }
            rate = min(rate, result["board_rps"])
            print(f"[{label}] c={c}, {seconds:.0f} s a run: board {result['board_rps']:.1f} req/s, floor {result['floor_rps']:.1f} req/s, "
                  f"ratio {result['ratio']:.2f} (pairs: {', '.join(f'{r:.2f}' for r in ratios)}), board p99 "
                  f"{result['board_p99_ms']:.0f} ms, errors {result['errors']}", flush=True)
            bare = wrk(bare_url, c, seconds, cookie=officer, idle=floor_idle)
            result["errors"] += bare.errors
            print(f"[{label}] c={c}: bare floor (one text query, inline template) {bare.rps:.1f} req/s: "
                  f"board/bare {result['board_rps'] / bare.rps:.2f}", flush=True)
            for name, (url, cookie, script) in extra.items():
                run = wrk(url, c, run_seconds(c, rate, duration), cookie=cookie, idle=app_idle, script=script)
                result[f"{name}_rps"], result["errors"] = run.rps, result["errors"] + run.errors
                print(f"[{label}] c={c}: {name} {run.rps:.1f} req/s, p99 {run.p99_ms:.0f} ms, "
                      f"errors {run.errors}", flush=True)
            results[c] = result
    finally:
        servers.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", default="16,64", help="wrk connection counts (default 16,64)")
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="floor/board pairs per connection count")
    parser.add_argument("--large", type=int, default=5000,
                        help="applications of the large cycle, measured at the first connection count (0: none)")
    parser.add_argument("--instance", help="reuse this folder for the demo's data (and DIR-large)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make install` (scripts/install-system.sh installs it)")
    from grantflow.demo.build import BENCH_PROGRAM, DEFAULT_PAST_APPLICATIONS

    connections = [int(c) for c in args.connections.split(",")]
    print(f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f} duration={args.duration}s repeats={args.repeats}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="gf-bench-web-") as tmp:
        folder = Path(tmp)
        instance, _ = demo_instance(DEFAULT_PAST_APPLICATIONS, args.instance)
        demo = measure("demo", instance, BENCH_PROGRAM, connections, args.duration, args.repeats, folder, True)
        large = {}
        if args.large:
            # A page of thousands of rows takes seconds: fewer, longer runs, at the lower count.
            large_instance, _ = demo_instance(args.large, args.instance and f"{args.instance}-large")
            large = measure(f"{args.large}", large_instance, BENCH_PROGRAM, connections[:1], max(20, args.duration),
                            2, folder, False)
    errors = sum(r["errors"] for r in [*demo.values(), *large.values()])
    worst = min(demo.values(), key=lambda r: r["ratio"])
    print(f"load={os.getloadavg()[0]:.1f}")
    print(f"board_rps={worst['board_rps']:.1f} floor_rps={worst['floor_rps']:.1f} board_ratio={worst['ratio']:.2f} "
          f"board_p99_ms={worst['board_p99_ms']:.0f} autosave_rps={worst['autosave_rps']:.1f} errors={errors}")


if __name__ == "__main__":
    main()
