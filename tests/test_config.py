"""Configuration: defaults, then instance/config.py, then GRANTFLOW_* variables; the secret key;
SQLite pragmas; PostgreSQL when the URL says so; the `grantflow` console command."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, text

from grantflow import create_app
from grantflow.config import database_uri
from grantflow.core.db import db

VENV_BIN = Path(sys.executable).parent


def _clean_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith("GRANTFLOW_"):
            monkeypatch.delenv(key)


def test_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    instance = tmp_path / "instance"
    monkeypatch.setenv("GRANTFLOW_INSTANCE_PATH", str(instance))
    app = create_app()
    assert app.instance_path == str(instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/grantflow.sqlite"
    assert app.config["LOGIN_RATE_LIMIT"] == "30 per minute;200 per hour"

    (instance / "config.py").write_text(
        f'DATABASE_URL = "sqlite:///{tmp_path}/from-file.sqlite"\n'
        'LOGIN_RATE_LIMIT = "5 per minute"\nSECRET_KEY = "from-the-file"\n')
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/from-file.sqlite"
    assert app.config["LOGIN_RATE_LIMIT"] == "5 per minute"
    assert app.config["SECRET_KEY"] == "from-the-file"

    monkeypatch.setenv("GRANTFLOW_DATABASE_URL", f"sqlite:///{tmp_path}/from-env.sqlite")
    monkeypatch.setenv("GRANTFLOW_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("GRANTFLOW_SESSION_COOKIE_SECURE", "false")  # parsed as JSON
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/from-env.sqlite"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["LOGIN_RATE_LIMIT"] == "5 per minute"  # still from the file


def test_secret_key_is_generated_once_private_and_reused(tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.setenv("GRANTFLOW_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app()
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 64
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert create_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]
    # Another instance gets another key: nothing is hard-coded.
    monkeypatch.setenv("GRANTFLOW_INSTANCE_PATH", str(tmp_path / "other"))
    assert create_app().config["SECRET_KEY"] != first.config["SECRET_KEY"]


def test_a_configured_secret_key_writes_no_file(tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.setenv("GRANTFLOW_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("GRANTFLOW_SECRET_KEY", "configured")
    assert create_app().config["SECRET_KEY"] == "configured"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_sqlite_uses_wal_and_a_busy_timeout(app):
    assert db.engine.dialect.name == "sqlite"
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL: safe with WAL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_postgresql_when_the_url_says_so(pg_app):
    assert db.engine.dialect.name == "postgresql"
    assert db.engine.dialect.driver == "psycopg"
    assert db.session.execute(text("SELECT current_setting('server_version_num')::int")).scalar() >= 130000
    assert "applications" in inspect(db.engine).get_table_names()


def test_postgres_urls_get_the_psycopg_driver(tmp_path):
    for url in ("postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"):
        assert database_uri({"DATABASE_URL": url}, str(tmp_path)) == "postgresql+psycopg://u@h/db"


# --- the console command ---------------------------------------------------------------------------

def _run(args, tmp_path, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTFLOW_")}
    full_env.update(GRANTFLOW_INSTANCE_PATH=str(tmp_path / "instance"), **env)
    return subprocess.run(args, env=full_env, capture_output=True, text=True, timeout=300, cwd=tmp_path)


def test_grantflow_command_help_lists_flask_and_project_commands(tmp_path):
    r = _run([str(VENV_BIN / "grantflow"), "--help"], tmp_path)
    assert r.returncode == 0, r.stderr
    for command in ("run", "db", "shell", "routes", "demo", "demo-exists"):
        assert f"\n  {command} " in r.stdout, command


def test_grantflow_db_upgrade_creates_the_schema(tmp_path):
    r = _run([str(VENV_BIN / "grantflow"), "db", "upgrade"], tmp_path)
    assert r.returncode == 0, r.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "instance" / "grantflow.sqlite") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"alembic_version", "users", "organizations", "applications", "reviews"} <= tables
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # No data yet: demo-exists says so with its exit status.
    assert _run([str(VENV_BIN / "grantflow"), "demo-exists"], tmp_path).returncode == 1


def test_flask_app_option_finds_the_factory(tmp_path):
    r = _run([str(VENV_BIN / "flask"), "--app", "grantflow", "routes"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "accounts.login" in r.stdout and "/register" in r.stdout


def test_one_redis_url_shares_the_queue_and_the_rate_limits(tmp_path, monkeypatch, redis_url):
    from huey import RedisHuey, SqliteHuey

    from grantflow.core.extensions import limiter
    from grantflow.tasks import get_huey

    _clean_env(monkeypatch)
    monkeypatch.setenv("GRANTFLOW_INSTANCE_PATH", str(tmp_path / "instance"))
    embedded = create_app()
    assert embedded.config["HUEY_URL"] is None and embedded.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(get_huey(embedded), SqliteHuey)

    monkeypatch.setenv("GRANTFLOW_REDIS_URL", redis_url)
    shared = create_app()
    assert shared.config["HUEY_URL"] == shared.config["RATELIMIT_STORAGE_URI"] == redis_url
    assert isinstance(get_huey(shared), RedisHuey)
    with shared.app_context():
        assert type(limiter._storage).__name__ == "RedisStorage" and limiter._storage.check()

    # Either one can still be put elsewhere.
    monkeypatch.setenv("GRANTFLOW_RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("GRANTFLOW_HUEY_URL", redis_url.rsplit("/", 1)[0] + "/5")
    apart = create_app()
    assert apart.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert apart.config["HUEY_URL"].endswith("/5")


def test_the_web_server_options_come_from_the_settings(tmp_path, monkeypatch):
    from grantflow.core.serve import options

    _clean_env(monkeypatch)
    monkeypatch.setenv("GRANTFLOW_INSTANCE_PATH", str(tmp_path / "instance"))
    config = create_app().config
    sync = options(config)
    assert (sync["bind"], sync["workers"], sync["threads"], sync["worker_class"], sync["timeout"]) == (
        ["127.0.0.1:8000"], 2, 1, "sync", 60)
    monkeypatch.setenv("GRANTFLOW_WEB_THREADS", "4")
    monkeypatch.setenv("GRANTFLOW_WEB_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("GRANTFLOW_LOG_FORMAT", "text")
    threaded = options(create_app().config)
    assert threaded["worker_class"] == "gthread" and threaded["threads"] == 4 and threaded["bind"] == ["0.0.0.0:9000"]
    assert threaded["logger_class"].log_format == "text" and sync["logger_class"].log_format == "json"
