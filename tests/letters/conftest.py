"""Letters fixtures: a funder's program with award and decline decisions (created directly)."""
from __future__ import annotations

import datetime as dt
import urllib.request

import pytest

from grantflow.core.db import db
from grantflow.decisions.models import Decision


def download(client, url: str) -> tuple[dict, bytes]:
    """The headers and bytes of the file behind a download link: the app's own response, or the
    signed S3 URL it redirects to."""
    response = client.get(url)
    if response.status_code == 303:
        with urllib.request.urlopen(response.headers["Location"]) as signed:
            return dict(signed.headers), signed.read()
    assert response.status_code == 200, response.status_code
    return dict(response.headers), response.data


def decide(application, outcome: str, amount_cents: int = 0) -> Decision:
    decision = Decision(application_id=application.id, program_id=application.program_id, outcome=outcome,
                        amount_cents=amount_cents)
    db.session.add(decision)
    db.session.flush()
    return decision


@pytest.fixture
def letters_world(world):
    """`world` plus grant dates, a contact, Eastside's contact person, and decisions: an award for
    Eastside, a decline for Northside. (Test funders have a letterhead and signatory: tests/factories.py.)"""
    return with_letters(world)


@pytest.fixture
def any_letters_world(any_app):
    """`letters_world` on each database in turn (SQLite, then PostgreSQL)."""
    from tests.conftest import build_world

    return with_letters(build_world())


def with_letters(world):
    program = world.program
    program.grant_start = dt.date(2027, 1, 1)
    program.grant_end = dt.date(2027, 12, 31)
    program.contact_name = "Pat Officer"
    program.contact_email = "po@riverside.org"
    world.cbo.contact_name, world.cbo.contact_title = "Maria Lopez", "Executive Director"
    world.award = decide(world.application, "award", 25_000_00)
    world.decline = decide(world.other_application, "decline")
    db.session.commit()
    return world
