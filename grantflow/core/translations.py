"""The funder's own content in other languages: one row per (kind of object, object, field, language).

A program's title, a question's label… are written once in the source language (English) in their
own columns; a translation is a row here, so adding a language or a translatable field needs no
schema change, the source text stays where every query already reads it, and a missing translation
is simply no row. An area declares what of its content can be translated with `register(kind,
model, fields)`; pages show `localized(obj, field)`: the text in the page's language where a row
exists, else the source text, whose `lang_attr` marks it as English on a page in another language.
Each request reads the rows of one (kind, language) at most once.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from markupsafe import Markup
from sqlalchemy import String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core.db import db
from grantflow.core.i18n import SOURCE_LOCALE, current_locale

_KINDS: dict[type, tuple[str, tuple[str, ...]]] = {}


class ContentTranslation(db.Model):
    __tablename__ = "content_translations"
    __table_args__ = (UniqueConstraint("kind", "object_id", "field", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # "program", "question": as registered
    object_id: Mapped[int] = mapped_column(index=True)
    field: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


def register(kind: str, model: type, fields: tuple[str, ...]) -> None:
    _KINDS[model] = (kind, fields)


def fields_of(obj) -> tuple[str, ...]:
    return _KINDS[type(obj)][1]


@dataclass(frozen=True)
class Localized:
    """A piece of the funder's content as shown: its text and the language it is in."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(Markup.escape(self.text))

    @property
    def lang_attr(self) -> Markup:
        """` lang="en"` when the text is not in the page's language (nothing otherwise)."""
        page = current_locale()
        return Markup(' lang="%s"') % self.lang.replace("_", "-") if self.lang != page else Markup("")


def _rows(kind: str, locale: str) -> dict[tuple[int, str], str]:
    cache = g.setdefault("gf_translations", {}) if has_request_context() else {}
    if (kind, locale) not in cache:
        cache[(kind, locale)] = {(r.object_id, r.field): r.text for r in db.session.execute(
            select(ContentTranslation).where(ContentTranslation.kind == kind,
                                             ContentTranslation.locale == locale)).scalars()}
    return cache[(kind, locale)]


def localized(obj, field: str) -> Localized:
    source = getattr(obj, field) or ""
    locale = current_locale()
    if locale == SOURCE_LOCALE or type(obj) not in _KINDS:
        return Localized(source, SOURCE_LOCALE)
    text = _rows(_KINDS[type(obj)][0], locale).get((obj.id, field))
    return Localized(text, locale) if text else Localized(source, SOURCE_LOCALE)


def stored(obj, locale: str) -> dict[str, str]:
    """The object's translations into `locale`, by field."""
    kind = _KINDS[type(obj)][0]
    return dict(db.session.execute(select(ContentTranslation.field, ContentTranslation.text).where(
        ContentTranslation.kind == kind, ContentTranslation.object_id == obj.id,
        ContentTranslation.locale == locale)).all())


def save(obj, locale: str, texts: dict[str, str]) -> None:
    """Sets the object's translations into `locale`: a blank text removes that field's."""
    kind, fields = _KINDS[type(obj)]
    db.session.execute(delete(ContentTranslation).where(
        ContentTranslation.kind == kind, ContentTranslation.object_id == obj.id,
        ContentTranslation.locale == locale, ContentTranslation.field.in_(list(texts))))
    for name, text in texts.items():
        if name in fields and (text or "").strip():
            db.session.add(ContentTranslation(kind=kind, object_id=obj.id, field=name, locale=locale,
                                              text=text.strip()))
    if has_request_context():
        g.pop("gf_translations", None)
