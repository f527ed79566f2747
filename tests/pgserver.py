"""A throwaway PostgreSQL server for the test session, from Debian's postgresql packages.

pytest-postgresql's executor calls pg_ctl directly, and PostgreSQL refuses to run as root (as CI
does); this starts the same binaries as the `postgres` system user in a temporary directory,
listening on 127.0.0.1 at a free port, and removes everything afterwards.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if not candidates:
        raise RuntimeError("PostgreSQL is not installed: run `make install` (it installs Debian's postgresql)")
    return Path(candidates[0]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    datadir: Path
    port: int
    user: str = "postgres"
    host: str = "127.0.0.1"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"


def _as_owner(cmd: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


def start(base: Path) -> tuple[PgServer, str | None]:
    bindir = _bindir()
    owner = "postgres" if os.geteuid() == 0 else None
    # The server runs as `postgres`, which must reach the folder (pytest's tmp dirs are private).
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o755)
    datadir = base / "data"
    datadir.mkdir()
    if owner:
        shutil.chown(datadir, owner, owner)
        shutil.chown(base, owner, owner)
    subprocess.run(_as_owner([str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust",
                              "-E", "UTF8", "--locale=C.UTF-8"], owner),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for attempt in range(3):  # a free port can be taken before the server binds it (parallel workers)
        port = _free_port()
        opts = (f"-p {port} -h 127.0.0.1 -k {base} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                " -c max_connections=200")
        started = subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(datadir), "-o", opts, "-l",
                                            str(base / "log"), "-w", "-t", "60", "start"], owner),
                                 stdout=subprocess.DEVNULL)
        if started.returncode == 0:
            break
    else:
        raise RuntimeError(f"PostgreSQL did not start:\n{(base / 'log').read_text()[-3000:]}")
    server = PgServer(datadir=datadir, port=port)
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return server, owner


def stop(server: PgServer, owner: str | None) -> None:
    subprocess.run(_as_owner([str(_bindir() / "pg_ctl"), "-D", str(server.datadir), "-m", "immediate", "stop"],
                             owner), check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
