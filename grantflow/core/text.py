"""Small text helpers: slugs that are unique in a table."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from grantflow.core.db import db


def slugify(value: str, max_length: int = 60) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    value = re.sub(r"[^a-zA-Z0-9]+", "-", value).strip("-").lower()
    return value[:max_length].strip("-") or "item"


def unique_slug(model, value: str) -> str:
    base = slugify(value)
    slug, n = base, 2
    while db.session.execute(select(model.id).where(model.slug == slug)).first():
        slug, n = f"{base}-{n}", n + 1
    return slug
