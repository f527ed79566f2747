"""The funder's own content in other languages: one row per (kind of object, object, field, language).

A program's title, a question's label… are written once in the source language (English) in their
own columns; a translation is a row here, so adding a language or a translatable field needs no
schema change, the source text stays where every query already reads it, and a missing translation
is simply no row. An area declares what of its content can be translated with `register(kind,
model, fields)`; pages show `localized(obj, field)`: the text in the page's language where a row
exists, else the source text, whose `lang_attr` marks it as English on a page in another language.

Content held in a list or a mapping (a question's choices, a criterion's anchors) is registered with
a function giving the object's texts by field name (`option:<digest>`, `anchor:<level>`), so each
piece is translated on its own. A page reads only the rows of the objects it has loaded: the first
`localized` of a kind loads, in one query, the rows of every object of that kind in the session
(the objects the page is showing), and later objects of the kind cost one more query per batch.
What is read is kept for the request; outside one (a batch of letters in the queue) for a block
under `cached()`.
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import g, has_request_context
from markupsafe import Markup, escape
from sqlalchemy import String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core.db import db
from grantflow.core.i18n import SOURCE_LOCALE, current_locale

Fields = tuple[str, ...] | Callable[[object], dict[str, str]]
_KINDS: dict[type, tuple[str, Fields]] = {}
_BATCH = 500  # object ids per query (well under every database's bound-parameter limit)
_SCOPE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("gf_translations", default=None)


class ContentTranslation(db.Model):
    __tablename__ = "content_translations"
    __table_args__ = (UniqueConstraint("kind", "object_id", "field", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # "program", "question": as registered
    object_id: Mapped[int] = mapped_column(index=True)
    field: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


def register(kind: str, model: type, fields: Fields) -> None:
    """`fields`: the names of the model's translatable attributes, or a function giving an object's
    translatable texts by field name (at most 40 characters)."""
    _KINDS[model] = (kind, fields)


def sources(obj) -> dict[str, str]:
    """The object's translatable texts in the source language, by field."""
    fields = _KINDS[type(obj)][1]
    return fields(obj) if callable(fields) else {name: getattr(obj, name) or "" for name in fields}


def fields_of(obj) -> tuple[str, ...]:
    return tuple(sources(obj))


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

    @property
    def marked(self) -> Markup:
        """The text for a place within a sentence or a label: in a `<span lang>` when it is not in
        the page's language."""
        attr = self.lang_attr
        return Markup("<span%s>%s</span>") % (attr, self.text) if attr else Markup.escape(self.text)


def sentence(message: str, **pieces) -> Markup:
    """A translated sentence (`gettext`'s, not yet formatted) with pieces of the funder's content put
    in as `Localized.marked` gives them: the sentence is escaped once and the marks are kept, where
    `gettext`'s own formatting would escape the marks as text (a form's labels and errors)."""
    return Markup(escape(message)) % pieces


@contextmanager
def cached() -> Iterator[None]:
    """Outside a request, keeps the translations read within the block, as a request keeps them:
    a batch of letters reads each kind's once, not once per letter. Nested, the outer block's."""
    token = _SCOPE.set(_SCOPE.get() if _SCOPE.get() is not None else {})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _cache() -> dict:
    if has_request_context():
        return g.setdefault("gf_translations", {})
    scope = _SCOPE.get()
    return {} if scope is None else scope


def stored(obj, locale: str) -> dict[str, str]:
    """The object's translations into `locale`, by field. The first of its kind this request loads,
    in one query per batch, those of every object of its model the session holds that has none
    loaded yet: the page's other objects cost no query of their own."""
    model = type(obj)
    kind = _KINDS[model][0]
    texts = _cache().setdefault((kind, locale), {})
    if obj.id not in texts:
        ids = sorted({key[1][0] for key in db.session.identity_map.keys() if key[0] is model} - texts.keys()
                     | {obj.id})
        texts.update((i, {}) for i in ids)
        for start in range(0, len(ids), _BATCH):
            for r in db.session.execute(
                    select(ContentTranslation.object_id, ContentTranslation.field, ContentTranslation.text).where(
                        ContentTranslation.kind == kind, ContentTranslation.locale == locale,
                        ContentTranslation.object_id.in_(ids[start:start + _BATCH]))):
                texts[r.object_id][r.field] = r.text
    return texts[obj.id]


def localized(obj, field: str) -> Localized:
    if type(obj) not in _KINDS:  # a plain object standing in for a model: its attribute, if it has one
        return Localized(getattr(obj, field, None) or "", SOURCE_LOCALE)
    source = sources(obj).get(field, "")
    locale = current_locale()
    if locale == SOURCE_LOCALE:
        return Localized(source, SOURCE_LOCALE)
    text = stored(obj, locale).get(field)
    return Localized(text, locale) if text else Localized(source, SOURCE_LOCALE)


def copy(source, target) -> None:
    """Gives `target` (a new object of the same model, copied from `source`) `source`'s translations.
    Both must have ids (flushed)."""
    kind = _KINDS[type(source)][0]
    rows = db.session.execute(select(ContentTranslation.field, ContentTranslation.locale, ContentTranslation.text)
                              .where(ContentTranslation.kind == kind, ContentTranslation.object_id == source.id)).all()
    db.session.add_all(ContentTranslation(kind=kind, object_id=target.id, field=field, locale=locale, text=text)
                       for field, locale, text in rows)


def save(obj, locale: str, texts: dict[str, str]) -> None:
    """Sets the object's translations into `locale`: a blank text removes that field's."""
    kind, fields = _KINDS[type(obj)][0], sources(obj)
    db.session.execute(delete(ContentTranslation).where(
        ContentTranslation.kind == kind, ContentTranslation.object_id == obj.id,
        ContentTranslation.locale == locale, ContentTranslation.field.in_(list(texts))))
    for name, text in texts.items():
        if name in fields and (text or "").strip():
            db.session.add(ContentTranslation(kind=kind, object_id=obj.id, field=name, locale=locale,
                                              text=text.strip()))
    _cache().clear()
