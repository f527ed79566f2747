"""Recording the SQL statements a block of code sends (for the query-count tests)."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from grantflow.core.db import db


@contextmanager
def recorded():
    """Yields a list that receives (statement, parameters) of every statement sent in the block."""
    statements: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


@contextmanager
def recorded_clauses():
    """Yields a list that receives every statement the block executes, as SQLAlchemy built it
    (for reading which tables it reads), before it is compiled to SQL."""
    clauses: list = []

    def listener(conn, clauseelement, multiparams, params, execution_options):
        clauses.append(clauseelement)

    event.listen(db.engine, "before_execute", listener)
    try:
        yield clauses
    finally:
        event.remove(db.engine, "before_execute", listener)
