"""The database handle, the declarative base and the column types every model shares."""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from contextvars import ContextVar

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back aware datetimes, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


# How long a writer waits for SQLite's write lock before giving up.
SQLITE_BUSY_MS = 15000


def plain_rows(stmt):
    """Rows of a column select through the session's connection, skipping the ORM's per-row
    processing: about 3x cheaper at 100,000 rows (the facts, the audit, score totals). For
    statements that select columns, never entities."""
    return db.session.connection().execute(stmt)


def driver_rows(stmt) -> list[tuple]:
    """Every row of a column select as the database driver returns it: plain tuples, with neither
    SQLAlchemy's row objects nor its type processing. Only for integer and text columns, which the
    driver already returns as the Python values (the reviewers' 530,000 criterion scores of a
    50,000-application program: about half the time of `plain_rows(...).all()`)."""
    result = plain_rows(stmt)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


@contextlib.contextmanager
def separate_session() -> Iterator[Session]:
    """A session of its own, outside the request's transaction: for work that must commit on its
    own (delivering an outbox message) or run after the request's session has ended."""
    session = Session(bind=db.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# Whether the current web request is going to write: on SQLite its transaction then begins
# with BEGIN IMMEDIATE. A ContextVar, so each thread and each request has its own.
_WRITE_INTENT: ContextVar[bool] = ContextVar("grantflow_write_intent", default=False)
_PROCESS_WRITE_LOCK = threading.Lock()


def write_intent() -> bool:
    return _WRITE_INTENT.get()


def set_write_intent(value: bool):
    """Returns a token for ``_WRITE_INTENT.reset``; used by the request hooks and the queue."""
    return _WRITE_INTENT.set(value)


def reset_write_intent(token) -> None:
    _WRITE_INTENT.reset(token)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """A web request that will write (a POST) begins its SQLite transaction IMMEDIATE: it
    takes the write lock first and waits its turn (the busy timeout). Begun the default way, it would
    read first and fail at its first write with "database is locked" whenever another writer had
    committed in between (a read snapshot cannot be upgraded, and the busy timeout does not apply).
    Other transactions are left to Python's sqlite3 module, which reads outside a transaction (each
    statement sees the latest commit) and begins one at the first write: queue tasks and commands,
    which read for long stretches (a letter batch renders between its writes) and must not hold the
    write lock meanwhile."""
    if conn.dialect.name == "sqlite" and _WRITE_INTENT.get():
        # Threads of one process queue here for their turn, so SQLite's busy handler (which polls,
        # up to every 100 ms, and favours newcomers) only arbitrates between processes; without it
        # a waiting thread can miss its turn for longer than the busy timeout under heavy load.
        if _PROCESS_WRITE_LOCK.acquire(timeout=SQLITE_BUSY_MS / 1000):
            conn.info["gf_write_lock"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release_write_lock(conn)
            raise


def _release_write_lock(conn) -> None:
    if conn.info.pop("gf_write_lock", False):
        _PROCESS_WRITE_LOCK.release()


event.listen(Engine, "commit", _release_write_lock)
event.listen(Engine, "rollback", _release_write_lock)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets readers work while a writer commits; the busy timeout waits instead of failing.
    In WAL mode ``synchronous=NORMAL`` is what SQLite recommends: a commit no longer waits for an
    fsync (checkpoints still do), the database cannot be corrupted, and only a power loss (not a
    crashed or killed process) can undo the last commits; a letter batch, which commits once per
    letter, saves an fsync per letter."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
