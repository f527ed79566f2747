"""Program-scoped pages and commands find their program by slug in one place
(`grantflow.programs.slugs`): the URL converter loads it once per request; a CLI argument type
refuses an unknown slug with one message."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import url_for

from grantflow.core.db import db
from tests.queries import recorded

GRANTFLOW = Path(__file__).resolve().parents[2] / "grantflow"


def test_one_look_up_by_slug():
    found = [str(p.relative_to(GRANTFLOW)) for p in GRANTFLOW.rglob("*.py") if "Program.slug ==" in p.read_text()]
    assert found == ["programs/slugs.py"]


def _program_lookups(client, url) -> tuple[int, int]:
    db.session.expire_all()
    with recorded() as statements:
        status = client.get(url).status_code
    return status, sum(1 for s, _ in statements if re.search(r"FROM programs\s+WHERE programs\.slug", s))


@pytest.mark.parametrize("path", ["manage", "rubric", "letters", "board", "scoring", "audit", "feedback",
                                  "reviewers"])
def test_a_program_page_loads_its_program_once(world, login, path):
    officer = login(world.users["program_officer"])
    assert _program_lookups(officer, f"/programs/health-2026/{path}") == (200, 1)


def test_unknown_or_impossible_slugs_are_404_on_both_backends(any_app, login):
    from tests.conftest import build_world

    w = build_world()
    officer = login(w.users["program_officer"])
    for slug in ("nope", "x" * 500, "%00", "a%00b", "%E2%80%AE"):
        for path in ("", "/manage", "/letters", "/board", "/apply"):
            assert officer.get(f"/programs/{slug}{path}").status_code == 404, (slug, path)


def test_urls_take_the_program_or_its_slug(world, app):
    with app.test_request_context():
        assert url_for("programs.manage", program=world.program) == "/programs/health-2026/manage"
        assert url_for("programs.manage", program="health-2026") == "/programs/health-2026/manage"
        with pytest.raises(TypeError):  # e.g. a report's summary of the program: fails loudly, no broken link
            url_for("programs.manage", program={"slug": "health-2026"})


def test_commands_refuse_an_unknown_slug_with_one_message(app, tmp_path):
    runner = app.test_cli_runner()
    for args in (["score", "nope"], ["audit", "nope", "-o", str(tmp_path / "a.json")],
                 ["letters", "nope", "-o", str(tmp_path)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 2 and "Invalid value for 'PROGRAM_SLUG': no program with the slug 'nope'" \
            in result.output, result.output
