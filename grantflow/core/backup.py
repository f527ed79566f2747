"""Backups that restore: the database, every stored file, and a manifest to check both against.

A backup is a folder::

    manifest.json     what was saved: the database engine, its migration revision, each table's
                      row count, each file's key, size and SHA-256
    database.pgdump   PostgreSQL: `pg_dump --format=custom`
    database.sqlite   SQLite: a copy made with SQLite's online backup API
    files/<key>       every file of the app's storage, local folder or S3

The database copy is consistent (one snapshot, taken while the app keeps running: on PostgreSQL
the row counts are read in the very snapshot `pg_dump` is given; on SQLite they are read from the
copy). Files are copied before the database and again after it for those that appeared meanwhile:
a file is durable before its row commits (grantflow/core/files.py), so every row of the copy finds
its file in the backup, unless that file was both written and deleted while the backup ran.

`restore` loads a backup into an *empty* database and storage (it refuses otherwise), once every
file matches its SHA-256, and then compares every table's row count with the manifest.
It restores onto the same kind of database it came from.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection

from grantflow.core.db import db
from grantflow.core.storage import storage

MANIFEST = "manifest.json"
FORMAT = 1
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """Said to the operator; nothing was changed."""


def _count_rows(conn: Connection) -> dict[str, int]:
    quote = conn.dialect.identifier_preparer.quote
    return {name: conn.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one()
            for name in sorted(inspect(conn).get_table_names())}


def _revision(conn: Connection) -> list[str]:
    if "alembic_version" not in inspect(conn).get_table_names():
        return []
    return sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _libpq(url) -> tuple[str, dict]:
    """A URL pg_dump understands, and the environment that carries its password (never argv)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(cmd: list[str], env: dict) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {proc.stderr.strip()[-2000:]}")


def _dump_database(folder: Path) -> dict:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        target = folder / "database.sqlite"
        with engine.connect() as conn:
            source = conn.connection.driver_connection
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        copy_engine = create_engine(f"sqlite:///{target}")
        try:
            with copy_engine.connect() as conn:
                return {"engine": "sqlite", "file": target.name, "revision": _revision(conn),
                        "tables": _count_rows(conn)}
        finally:
            copy_engine.dispose()
    if engine.dialect.name != "postgresql":
        raise BackupError(f"backups of {engine.dialect.name} databases are not supported")
    target = folder / "database.pgdump"
    url, env = _libpq(engine.url)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables, revision = _count_rows(conn), _revision(conn)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={target}", f"--dbname={url}"], env)
    return {"engine": "postgresql", "file": target.name, "revision": revision, "tables": tables}


def _copy_files(folder: Path, done: dict[str, dict]) -> None:
    """Copies each stored file not copied yet, with its size and SHA-256."""
    backend = storage()
    for stored in backend.list():
        if stored.key in done:
            continue
        target = folder / "files" / stored.key
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        try:
            source = backend.open(stored.key)
        except FileNotFoundError:  # deleted since it was listed
            continue
        with source, open(target, "wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        done[stored.key] = {"size": size, "sha256": digest.hexdigest()}


def backup(folder: Path) -> dict:
    """Writes a backup into ``folder`` (new or empty); returns its manifest."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # it holds everything, identity data included
    copied: dict[str, dict] = {}
    _copy_files(folder, copied)
    database = _dump_database(folder)
    _copy_files(folder, copied)
    manifest = {"format": FORMAT, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "database": database, "files": dict(sorted(copied.items()))}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: not a GrantFlow backup")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _check_empty(app: Flask, manifest: dict) -> None:
    engine = db.engine
    if engine.dialect.name != manifest["database"]["engine"]:
        raise BackupError(f"this backup is of a {manifest['database']['engine']} database; "
                          f"DATABASE_URL names a {engine.dialect.name} one")
    with engine.connect() as conn:
        if inspect(conn).get_table_names():
            raise BackupError("the database is not empty: restore into a new, empty database")
    if next(iter(storage(app).list()), None) is not None:
        raise BackupError("the file storage is not empty: restore into an empty folder or bucket")


def _restore_database(folder: Path, manifest: dict) -> None:
    engine = db.engine
    source = folder / manifest["database"]["file"]
    if engine.dialect.name == "sqlite":
        engine.dispose()
        backup_db = sqlite3.connect(source)
        target = sqlite3.connect(engine.url.database)
        try:
            backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
        return
    url, env = _libpq(engine.url)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={url}", str(source)], env)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_files(folder: Path, manifest: dict) -> None:
    for key, meta in manifest["files"].items():
        path = folder / "files" / key
        if not path.is_file() or _sha256(path) != meta["sha256"]:
            raise BackupError(f"{key} is missing or does not match its SHA-256 in the manifest: the backup is damaged")


def _restore_files(folder: Path, manifest: dict) -> None:
    backend = storage()
    for key in manifest["files"]:
        with open(folder / "files" / key, "rb") as f:
            backend.put(key, f)


def restore(app: Flask, folder: Path) -> dict:
    """Loads the backup in ``folder``; returns the row counts found, table by table (they equal the
    manifest's, or BackupError says which differ)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    _check_empty(app, manifest)
    _check_files(folder, manifest)  # before anything is written
    _restore_database(folder, manifest)
    _restore_files(folder, manifest)
    db.engine.dispose()
    with db.engine.connect() as conn:
        found = _count_rows(conn)
    expected = manifest["database"]["tables"]
    if found != expected:
        wrong = sorted(name for name in set(found) | set(expected) if found.get(name) != expected.get(name))
        raise BackupError(f"row counts differ from the manifest in: {', '.join(wrong)}")
    return found
