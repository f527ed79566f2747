"""Results worth keeping between requests, kept exactly as long as the rows they were computed from.

Every table a kept result reads is *watched*: each transaction that writes one of those tables
adds one to that table's generation (a row of `data_generations`) in the same transaction, just
before it commits, whatever wrote it (the ORM, a bulk insert, a command). A kept result is filed
under the generations of the tables it reads, read before it is computed, so:

- a result is never served once a change to what it reads has committed, in any process or host
  (the generations are in the database, not in a process);
- a result computed while a writer committed is filed under the generations of before, which the
  next reader no longer sees.

The results themselves stay in each process (`app.extensions["grantflow.memo"]`, a small LRU with
a time limit, `MEMO_SECONDS`), filed per language (what is kept is worded in the language of the
request that computed it): they are plain frozen values, never ORM objects, so they can be shared
by the requests of a process. The time limit only bounds what could go stale if a change
reached the database some other way (a restore, a hand-made SQL statement).

Declaring what is kept: `KEPT = memo.watch("standings", tables)` at import time, and
`memo.kept(KEPT, key, compute)` where it is read. A test compares each watch list with the tables
its computation actually reads, so a new query cannot be missed.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import String, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.dml import UpdateBase

from grantflow.core.db import Base, db
from grantflow.core.i18n import current_locale

T = TypeVar("T")
ENTRIES = 32  # results a process keeps (the most recently used)


class DataGeneration(Base):
    """How many committed transactions have written a watched table."""

    __tablename__ = "data_generations"

    table_name: Mapped[str] = mapped_column(String(80), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)


@dataclass(frozen=True)
class Watch:
    name: str
    tables: tuple[str, ...]


_WATCHED: set[str] = set()
_WRITTEN = "gf_memo_written"  # on a connection: the watched tables its transaction wrote
_CONNECTIONS = "gf_memo_connections"  # on a session: the connections its transaction uses


def watch(name: str, tables: Iterable[str]) -> Watch:
    """Declares a kept result and the tables it reads (their writes are counted from now on)."""
    tables = tuple(sorted(set(tables)))
    _WATCHED.update(tables)
    return Watch(name, tables)


def watched() -> frozenset[str]:
    return frozenset(_WATCHED)


def generations(tables: Iterable[str]) -> tuple[int, ...]:
    """The committed generation of each table (0 for one never written since watching began)."""
    tables = tuple(tables)
    found = dict(db.session.execute(
        select(DataGeneration.table_name, DataGeneration.generation)
        .where(DataGeneration.table_name.in_(tables))).all())
    return tuple(found.get(t, 0) for t in tables)


def _writing(tables: tuple[str, ...]) -> bool:
    """Whether the current transaction has changed (or is about to flush a change to) one of
    `tables`: what it reads then differs from what is committed."""
    session = db.session()
    pending = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(type(obj), "__tablename__", None) in tables for obj in pending):
        return True
    return any(conn.info.get(_WRITTEN, set()) & set(tables) for conn in session.info.get(_CONNECTIONS, ()))


def _store():
    store = current_app.extensions.get("grantflow.memo")
    if store is None:
        store = current_app.extensions["grantflow.memo"] = (
            TTLCache(maxsize=ENTRIES, ttl=current_app.config["MEMO_SECONDS"]), threading.Lock())
    return store


def kept(what: Watch, key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned for `key` when none of `what`'s tables has changed since."""
    if not current_app.config["MEMO_SECONDS"] or _writing(what.tables):
        return compute()  # this transaction's own changes are not anyone else's yet
    # Filed per language too: what is kept is worded (explanations, money, a board's rows) in the
    # language of the request that computed it.
    full_key = (what.name, key, current_locale(), generations(what.tables))
    cache, lock = _store()
    with lock:
        hit = cache.get(full_key)
    if hit is not None:
        return hit
    value = compute()
    with lock:
        cache[full_key] = value
    return value


def forget() -> None:
    """Drops every result this process keeps (benchmarks measuring a cold start; tests)."""
    cache, lock = _store()
    with lock:
        cache.clear()


# --- counting writes -------------------------------------------------------------------------------

@event.listens_for(Engine, "before_execute")
def _note_write(conn, clauseelement, multiparams, params, execution_options) -> None:
    if isinstance(clauseelement, UpdateBase):
        name = clauseelement.table.name
        if name in _WATCHED:
            conn.info.setdefault(_WRITTEN, set()).add(name)


def _forget_written(conn) -> None:
    conn.info.pop(_WRITTEN, None)


event.listen(Engine, "commit", _forget_written)
event.listen(Engine, "rollback", _forget_written)


@event.listens_for(Session, "after_begin")
def _note_connection(session: Session, transaction, connection) -> None:
    session.info.setdefault(_CONNECTIONS, []).append(connection)


@event.listens_for(Session, "after_transaction_end")
def _forget_connections(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTIONS, None)


@event.listens_for(Session, "before_commit")
def _count_writes(session: Session) -> None:
    """Flushes what is pending, then counts each watched table written in this transaction, as
    the last statements before the commit (a row lock on PostgreSQL is then held only while the
    transaction commits). A savepoint's release counts nothing: its writes count with the
    transaction around it."""
    if session.in_nested_transaction():
        return
    session.flush()
    for conn in session.info.get(_CONNECTIONS, ()):
        written = conn.info.pop(_WRITTEN, None)
        if not written:
            continue
        upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        for name in sorted(written):  # one order everywhere: no deadlock between two writers
            stmt = upsert(DataGeneration).values(table_name=name, generation=1)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=[DataGeneration.table_name],
                set_={"generation": DataGeneration.generation + 1}))


__all__ = ["DataGeneration", "Watch", "watch", "watched", "generations", "kept", "forget"]
