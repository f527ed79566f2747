"""Configuration defaults; instance/config.py and GRANTFLOW_* environment variables override them."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "DATABASE_URL": None,  # None: SQLite file grantflow.sqlite in the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "WTF_CSRF_TIME_LIMIT": None,  # a long application edit must not lose its token
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 8,
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "UPLOAD_MAX_BYTES": 10 * 1024 * 1024,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_FROM": "grantflow@localhost",
    "INVITATION_DAYS": 14,
    "PASSWORD_RESET_SECONDS": 3600,
    "SUPPRESSION_K": 11,
    "HUEY_URL": None,  # None: SQLite storage in the instance folder; "redis://..." for Redis
    # The process umask set by create_app: files 0640, folders 0750 (the database and its -wal/-shm,
    # uploads, letters, exports, the queue's database). 0o077 keeps the group out too.
    "UMASK": 0o027,
    # Pages load scripts, styles, images and fonts from GrantFlow itself only; nothing inline.
    "CONTENT_SECURITY_POLICY": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "HSTS_MAX_AGE": 365 * 24 * 60 * 60,
    "HSTS_ALWAYS": False,  # True behind a proxy that ends TLS and does not pass X-Forwarded-Proto on
}


def apply_environment(config) -> None:
    """GRANTFLOW_FOO=bar sets FOO; values are parsed as JSON when they parse (true, 5, {...})."""
    config.from_prefixed_env("GRANTFLOW")


def ensure_secret_key(config, instance_path: str) -> None:
    """Generates a random key into the instance folder on first run; never a hard-coded default."""
    if config.get("SECRET_KEY"):
        return
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    config["SECRET_KEY"] = path.read_text().strip()


def database_uri(config, instance_path: str) -> str:
    url = config.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "grantflow.sqlite")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
