"""A program found by its slug — one look-up for URLs, CLI arguments and code.

Program-scoped routes are written `/programs/<program:program>/...`: the `program` converter loads
the program once, while the URL is matched, and the view receives it (an unknown slug is a 404;
each view still authorizes what it does with it). `url_for(..., program=program)` takes the
program or its slug. CLI commands take `type=PROGRAM` arguments, which refuse an unknown slug
with a clear message.
"""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import BaseConverter, ValidationError

from grantflow.core.db import db
from grantflow.programs.models import Program

_SLUG_MAX = Program.__table__.c.slug.type.length


def by_slug(slug: str | None) -> Program | None:
    """The program with this slug, or None (also for text no slug can be, unqueried)."""
    if not slug or len(slug) > _SLUG_MAX or "\x00" in slug:
        return None
    return db.session.execute(select(Program).where(Program.slug == slug)).scalar_one_or_none()


class ProgramConverter(BaseConverter):
    """`<program:program>` in a route: the Program with that slug."""

    def to_python(self, value: str) -> Program:
        program = by_slug(value)
        if program is None:
            raise ValidationError()  # no route matches: 404
        return program

    def to_url(self, value) -> str:
        if isinstance(value, Program):
            value = value.slug
        if not isinstance(value, str):  # a wrong value must fail loudly, not build a broken link
            raise TypeError(f"a program URL takes a Program or its slug, not {type(value).__name__}")
        return super().to_url(value)


class ProgramParam(click.ParamType):
    """A CLI argument naming a program by its slug."""

    name = "program slug"

    def convert(self, value, param, ctx):
        if isinstance(value, Program):
            return value
        program = by_slug(value)
        if program is None:
            self.fail(f"no program with the slug {value!r}", param, ctx)
        return program


PROGRAM = ProgramParam()


def init_app(app: Flask) -> None:
    """Registers the converter; routes using it must be added after this."""
    app.url_map.converters["program"] = ProgramConverter
