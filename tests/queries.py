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
