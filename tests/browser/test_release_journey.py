"""The demo's open 2026 cycle in Chromium: the ranking board fits a 1,280 px window (no horizontal
scroll), then the program officer previews a release, cancels, and releases the awards only —
with axe-core on every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.accounts.models import User
from grantflow.applications.models import Application
from grantflow.core import outbox as ob
from grantflow.core.db import db
from grantflow.decisions.board import load_board
from grantflow.decisions.models import Decision, Release
from grantflow.decisions.services import decide
from grantflow.demo.build import DEMO_PASSWORD, OPEN_PROGRAM, build_demo
from grantflow.programs.models import Program
from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser
OFFICER = "officer1@rchf.example.org"


def _seed(app) -> dict:
    """The demo, with three awards to complete applications and two declines."""
    with app.app_context():
        build_demo(reset=False, seed=2026, n_applications=None, echo=lambda *_: None)
        program = db.session.execute(select(Program).where(Program.slug == OPEN_PROGRAM)).scalar_one()
        officer = db.session.execute(select(User).where(User.email == OFFICER)).scalar_one()
        rows = load_board(program).rows
        complete = [r for r in rows if r.standing.standing == "complete"]
        for r in complete[:3]:
            decide(db.session.get(Application, r.application_id), "award",
                   amount_cents=min(r.amount_requested_cents, program.max_award_cents), rationale="Strong plan.",
                   actor=officer)
        for r in complete[-2:]:
            decide(db.session.get(Application, r.application_id), "decline", rationale="Weaker fit this year.",
                   actor=officer)
        db.session.commit()
        return {"program": program.id, "awards": [r.application_id for r in complete[:3]],
                "declines": [r.application_id for r in complete[-2:]]}


def test_board_fits_then_preview_cancel_and_release_awards_only(page, live_server):
    seeded = _seed(live_server.app)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, OFFICER, DEMO_PASSWORD)

    page.goto(f"{base}/programs/{OPEN_PROGRAM}/board")
    expect(page.get_by_role("heading", name="Ranking board")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("document.documentElement.clientWidth") <= 1280, width
    # With the default columns the table itself fits its frame: nothing to scroll at all.
    frame = page.evaluate("[document.querySelector('table.board').scrollWidth,"
                          " document.querySelector('table.board').parentElement.clientWidth]")
    assert frame[0] <= frame[1], frame
    # Complete applications first; an unreviewed one is labelled and has no total.
    standings = page.locator("table.board tbody tr[data-standing]").evaluate_all(
        "rows => rows.map(r => [r.dataset.standing, r.dataset.total])")
    kinds = [s for s, _ in standings]
    assert kinds == sorted(kinds, key=["complete", "partial", "unreviewed", "ineligible"].index)
    assert all(total == "" for s, total in standings if s == "unreviewed")
    assert_accessible(page)
    # Every column chosen: the table scrolls inside its frame, never the page.
    for column in ("Application status", "Each rule's part"):
        page.get_by_role("checkbox", name=column).check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.board th", has_text="Place-based need")).to_be_visible()
    all_columns = page.evaluate("document.documentElement.scrollWidth")
    assert all_columns <= 1280
    table = page.evaluate("document.querySelector('table.board').scrollWidth")
    print(f"board at 1280 px: page {width}, table {frame[0]} in a {frame[1]} px frame (default columns); page {all_columns} (every column; the table, "
          f"{table} px, scrolls in its frame)")
    assert_accessible(page)
    page.goto(f"{base}/programs/{OPEN_PROGRAM}/board")

    # The pre-flight: what would happen, before anything does.
    page.get_by_role("link", name="Release decisions…").click()
    page.wait_for_url("**/release")
    expect(page.get_by_role("heading", name="Release 5 decisions")).to_be_visible()
    assert "Applications are still open" in page.locator("ul.checks").inner_text()
    assert "it was awarded" in page.locator("#preview-award").inner_text()
    assert "/applications/" in page.locator("#preview-decline").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url("**/board")
    with live_server.app.app_context():
        assert db.session.execute(select(Release).where(Release.program_id == seeded["program"])).first() is None

    # Awards only.
    page.get_by_role("link", name="Release decisions…").click()
    page.get_by_label("Declines (2)").uncheck()
    page.get_by_label("Waitlist places (0)").uncheck()
    page.get_by_role("button", name="Show what this release does").click()
    expect(page.get_by_role("heading", name="Release 3 decisions")).to_be_visible()
    page.get_by_role("button", name="Release 3 decisions").click()
    expect(page.locator("#count-error")).to_be_visible()  # the count must be typed
    assert_accessible(page)
    page.get_by_label("Number of applicants to tell").fill("3")
    page.get_by_label("Reason for releasing before applications close").fill(
        "The board wants awardees to start planning before the holidays.")
    page.get_by_role("button", name="Release 3 decisions").click()
    assert "Released 3 decisions" in page.locator(".flashes").inner_text()
    expect(page.get_by_role("button", name="Undo this release")).to_be_visible()
    assert_accessible(page)
    with live_server.app.app_context():
        released = dict(db.session.execute(select(Decision.application_id, Decision.released_at)).all())
        assert all(released[a] is not None for a in seeded["awards"])
        assert all(released[a] is None for a in seeded["declines"])
        [done] = db.session.execute(select(Release).where(Release.program_id == seeded["program"])).scalars().all()
        assert done.reason.startswith("The board wants") and done.outcomes == ["award"]
        held = db.session.execute(select(ob.OutboxMessage.status, ob.OutboxMessage.not_before).where(
            ob.OutboxMessage.event == "decision.released")).all()
        assert held and all(status == ob.PENDING and at == done.hold_until for status, at in held)
