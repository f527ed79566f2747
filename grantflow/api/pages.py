"""Cursor pagination of the API's lists: oldest first by id, a page of `limit` rows, and an opaque
`next_cursor` (the last id given) that the client passes back as `cursor` for the next page.

Paging by id, not by offset, so rows added or removed between two calls neither repeat nor go
missing."""
from __future__ import annotations

import base64
import binascii

from flask import current_app

from grantflow.core.db import db
from grantflow.core.errors import problem


def _cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after_id}".encode()).decode().rstrip("=")


def _after(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError):
        text = ""
    kind, _, number = text.partition(":")
    if kind != "after" or not number.isascii() or not number.isdigit() or len(number) > 10:
        raise problem(422, "This cursor is not one the API gave.", {"cursor": "Pass the next_cursor of the previous page."})
    return int(number)


def page(stmt, id_column, args: dict) -> tuple[list, str | None]:
    """One page of ``stmt``'s rows after ``args["cursor"]`` (at most ``args["limit"]``, else
    API_PAGE_SIZE), and the cursor of the next page (None on the last)."""
    limit = args.get("limit") or current_app.config["API_PAGE_SIZE"]
    if "cursor" in args:
        stmt = stmt.where(id_column > _after(args["cursor"]))
    rows = list(db.session.execute(stmt.order_by(id_column).limit(limit + 1)).scalars())
    return rows[:limit], (_cursor(rows[limit - 1].id) if len(rows) > limit else None)
