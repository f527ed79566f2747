"""The demo's closed 2025 cycle (60 applications, about fifteen awards), audited as a program officer sees it:
the program totals, the POC-led award rate with its interval, attributed findings, and the places of
the cycle kept when the funder imports new tracts."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from grantflow.accounts.models import User
from grantflow.applications.models import Application
from grantflow.chna import importer
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from grantflow.demo.build import BENCH_PROGRAM, FUNDER_SLUG, OPEN_PROGRAM, build_demo
from grantflow.equity import exports
from grantflow.equity.metrics import wilson
from grantflow.equity.report import build_report
from grantflow.organizations.models import Organization
from grantflow.programs.slugs import by_slug


@pytest.fixture
def demo(app):
    build_demo(reset=False, seed=2026, n_applications=None, echo=lambda *a, **k: None)
    return by_slug(BENCH_PROGRAM)


def test_the_closed_cycle_speaks(demo, login):
    report = build_report(demo)
    raw = build_report(demo, overrides={"k": 1})  # nothing withheld: what the data hold
    t = report["totals"]
    # Reproduces issue 23: these read "Insufficient sample" under the old rule.
    n = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.program_id == demo.id, Application.status != "draft"))
    awards = db.session.scalar(select(func.count()).select_from(Decision).where(
        Decision.program_id == demo.id, Decision.outcome == "award"))
    assert (t["applicants"], t["awards"]) == (n, awards) == (60, raw["totals"]["awards"]) and 8 <= awards <= 20
    assert t["award_rate"] == pytest.approx(awards / n) and t["dollars_awarded"] > 0
    assert t["award_rate_ci"] == pytest.approx(list(wilson(awards, n)))
    poc = {g["group"]: g for g in report["dimensions"]["poc_led"]["groups"]}
    poc_raw = {g["group"]: g for g in raw["dimensions"]["poc_led"]["groups"]}
    # Both sides of the board's first question are shown at k = 11, each with its interval.
    for g in ("yes", "no"):
        assert not poc[g]["suppressed"]
        assert poc[g]["applicants"] == poc_raw[g]["applicants"] >= 11
        assert poc[g]["awards"] == poc_raw[g]["awards"]
        assert poc[g]["award_rate_ci"] == pytest.approx(list(wilson(poc[g]["awards"], poc[g]["applicants"])))
    # Groups under k = 11 are withheld, and so is what would reveal them.
    if 0 < poc_raw["not reported"]["organizations"] < 11:
        assert poc["not reported"]["suppressed"]
    attributed = [f for f in report["findings"] if f["kind"] == "flag" and f["attribution"]]
    assert attributed
    for f in attributed:
        parts = [c["points"] for c in f["attribution"]["components"] if c["points"] is not None]
        assert sum(parts) == pytest.approx(f["attribution"]["gap"])
        assert "-point difference in award rate between" in f["text"]
    assert 3 <= len(report["board_summary"]) <= 5

    officer = db.session.execute(select(User).where(User.email == "officer1@rchf.example.org")).scalar_one()
    html = login(officer).get(f"/programs/{BENCH_PROGRAM}/audit").get_data(as_text=True)
    assert "Where the gap comes from" in html
    for g in ("yes", "no"):
        lo, hi = poc[g]["award_rate_ci"]
        assert f"{lo * 100:.0f}–{hi * 100:.0f}%" in html
    pdf = PdfReader(io.BytesIO(exports.to_pdf(report)))
    first = " ".join(pdf.pages[0].extract_text().split()).replace("– ", "–")  # a range may wrap at its dash
    assert f"60 applications were received. {awards} were awarded" in first
    assert f"Organizations led by people of color were {poc['yes']['share_of_applicants'] * 100:.0f}% of applicants" in first
    lo, hi = poc["no"]["award_rate_ci"]
    assert (f"against {poc['no']['award_rate'] * 100:.0f}% for “no” ({poc['no']['awards']} of {poc['no']['applicants']}, "
            f"95% interval {lo * 100:.0f}–{hi * 100:.0f}%)") in first


def test_new_tracts_do_not_change_a_closed_cycles_audit(demo):
    """Importing places (new priority tracts, a changed need index) freezes the closed cycle's
    places first: its audit says what it said; the open cycle sees the new places."""
    before = build_report(demo)
    funder = db.session.execute(select(Organization).where(Organization.slug == FUNDER_SLUG)).scalar_one()
    served = before["need_benchmarks"]["places"][0]
    rows = ["geoid,name,index,population,priority",
            "06065042014,Census Tract 420.14,0.97,5000,yes", "06065042012,Census Tract 420.12,0.95,4000,yes",
            f"{served['geoid']},{served['name']},0.10,{served['population']},no"]
    importer.import_bytes(funder.id, "\n".join(rows).encode(), source="SVI 2024")
    db.session.commit()
    db.session.expire_all()
    after = build_report(by_slug(BENCH_PROGRAM))
    assert after["need_benchmarks"] == before["need_benchmarks"]
    assert not any("420.1" in f["text"] for f in after["findings"])
    assert after["program"]["places_as_of"]["sources"].startswith("CDC/ATSDR SVI 2022")
    assert after["dimensions"]["svi_quartile"]["groups"] == before["dimensions"]["svi_quartile"]["groups"]
    live = build_report(by_slug(OPEN_PROGRAM), cycles=False)
    assert live["program"]["places_as_of"] is None
    assert "Census Tract 420.14" in {p["name"] for p in live["need_benchmarks"]["places"]}


def test_each_finding_s_next_step_follows_its_own_attribution(demo):
    """Found by hand: "the largest part comes from the reviewers' rubric scores: −13 points", then
    "Next step: Most of the gap opens at the final decision" (which its own table put at 0 points).
    The next step of an attributed finding follows the part the gap mostly comes from."""
    from grantflow.equity.attribution import DECISIONS, RUBRIC, RULES, WHO_APPLIED
    from grantflow.equity.findings import main_source

    said = {RUBRIC: ("rubric", "criterion"), DECISIONS: ("decisions",), WHO_APPLIED: ("outreach",),
            RULES: ("by design",)}
    checked = 0
    for k in (11, 5, 1):
        for f in build_report(demo, overrides={"k": k})["findings"]:
            source = main_source(f["attribution"]) if f["kind"] == "flag" and f["attribution"] else None
            if source is None:
                continue
            checked += 1
            step = f["next_step"].lower()
            assert any(word in step for word in said[source["key"]]), (source["key"], f["text"], f["next_step"])
            if source["key"] != DECISIONS:
                assert "final decision" not in step, (f["text"], f["next_step"])
    assert checked
