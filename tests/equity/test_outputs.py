"""The audit's findings and outputs on a program with a built-in disparity: the page, the downloads,
the CLI in each format, the PDF read back (text, contents, page numbers, metadata, tags), the
cycle-by-cycle comparison and a plugin's dimension."""
from __future__ import annotations

import csv
import io
import json
import re

import pikepdf
import pytest
from flask import current_app
from pypdf import PdfReader

from sqlalchemy import select

from grantflow import hookimpl
from grantflow.applications.models import Application
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.equity import exports
from grantflow.equity.dimensions import Dimension
from grantflow.equity.report import build_report
from tests import factories as F
from tests.equity.builders import Spec, build_program


def _cycle(funder, slug, sizes, *, series="health", cycle_label=None, **fields):
    """POC-led organizations are funded less, and reviewer Sam scores them lower (2 points on the
    first criterion, 1 on the others); Rae and Lee do not."""
    specs = []
    for poc, n, a in sizes:
        for i in range(n):
            base = 3 + (i % 3) - 1
            sam = [max(1, base - 2), 2, 2] if poc else [base, 3, 3]
            specs.append(Spec(poc=poc, awarded=i < a, requested=40_000_00 + 1000_00 * (i % 9),
                              reviews={"Rae": [base, 3, 3], "Sam": sam, "Lee": [base, 3, 3]}))
    return build_program(funder, specs, slug=slug, series=series, cycle_label=cycle_label,
                         data_vintage="Applications through 2026-03-31", budget_cents=2_000_000_00, **fields)[0]


@pytest.fixture
def audited(app):
    funder = F.funder(name="Riverside Health Foundation")
    _cycle(funder, "health-2025", [(True, 40, 12), (False, 40, 14)], cycle_label="2025")
    prog = _cycle(funder, "health-2026", [(True, 120, 15), (False, 80, 32)], cycle_label="2026")
    officer = F.user(org=funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    return prog, officer


def test_findings_flag_the_disparity_with_evidence_and_next_steps(audited):
    prog, _ = audited
    report = build_report(prog)
    texts = [f["text"] for f in report["findings"]]
    assert any(t.startswith("Organizations led by people of color were 60% of applicants and 32% of awards: 15 of 120, "
                            "an award rate of 12% (95% interval 8–20%), against 40% for “no” (32 of 80, 95% interval 30–51%). "
                            "They received 32% of dollars.") for t in texts), texts
    flag = next(f for f in report["findings"] if f["kind"] == "flag" and f["dimension"] == "poc_led"
                and f["group"] == "yes" and "impact ratio" in f["text"])
    assert flag["evidence"]["impact_ratio"] == pytest.approx((15 / 120) / (32 / 80))
    assert flag["evidence"]["fisher_p"] < 0.001 and flag["evidence"]["n"] == 120
    # The next step names the criterion the finding's own attribution says most of the gap comes from
    # (weighted by the rubric: Criterion 3 here; Criterion 1's larger raw gap has its own finding).
    assert "most from “Criterion 3”" in flag["text"] and "re-examine the criterion “Criterion 3”" in flag["next_step"]
    crit = next(f for f in report["findings"] if f["kind"] == "flag" and "Rubric criterion “Criterion 1”" in f["text"])
    assert "Re-examine this criterion" in crit["next_step"]
    sam = next(f for f in report["findings"] if f["kind"] == "flag" and f["text"].startswith("Reviewer Sam"))
    assert "Calibrate this reviewer" in sam["next_step"] and "n = 200 reviews" in sam["text"]
    assert not any(f["text"].startswith(("Reviewer Rae", "Reviewer Lee")) for f in report["findings"])
    reviewers = {r["reviewer"]: r for r in report["dimensions"]["poc_led"]["reviewers"]["reviewers"]}
    assert reviewers["Sam"]["n_reviews"] == 200 and reviewers["Sam"]["flagged"]
    assert reviewers["Rae"]["flagged"] is False


def test_reviewers_with_few_reviews_are_shown_with_n_but_never_flagged(audited):
    prog, _ = audited
    report = build_report(prog, overrides={"AUDIT_MIN_REVIEWER_REVIEWS": 500})
    sam = next(r for r in report["dimensions"]["poc_led"]["reviewers"]["reviewers"] if r["reviewer"] == "Sam")
    assert sam["n_reviews"] == 200 and sam["enough_reviews"] is False and sam["flagged"] is False
    assert sam["gap"] is not None


def test_cycles_of_a_series_are_compared(audited):
    prog, _ = audited
    report = build_report(prog)
    assert [c["program"]["cycle_label"] for c in report["cycles"]] == ["2025", "2026"]
    assert [c["current"] for c in report["cycles"]] == [False, True]
    past = {g["group"]: g for g in report["cycles"][0]["dimensions"]["poc_led"]}
    assert past["yes"]["award_rate"] == pytest.approx(12 / 40) and past["no"]["awards"] == 14


def test_page_shows_findings_charts_and_tables(audited, login):
    prog, officer = audited
    client = login(officer)
    html = client.get(f"/programs/{prog.slug}/audit").get_data(as_text=True)
    assert "<h2 id=\"findings-h\">Findings</h2>" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') >= 3 * 8
    assert re.search(r'<title id="chart\d+-t">Award rate by group: Led by people of color</title>', html)
    assert "<caption>Award rates by group, with 95% intervals: Led by people of color</caption>" in html
    assert "<caption>Shares of applicants, awards and dollars by group: Led by people of color</caption>" in html
    assert '<h2 id="summary-h">What this audit found, and what to do next</h2>' in html
    assert '<h2 id="glossary-h">Glossary</h2>' in html
    assert "Applications through 2026-03-31" in html and "rubric version: 1" in html
    assert "Cycle by cycle" in html
    res = client.get(f"/programs/{prog.slug}/audit.json")
    assert res.mimetype == "application/json" and res.json["format_version"] == 2
    res = client.get(f"/programs/{prog.slug}/audit.csv")
    assert res.mimetype == "text/csv" and "attachment" in res.headers["Content-Disposition"]
    assert client.get(f"/programs/{prog.slug}/audit.xls").status_code == 404


def test_cli_writes_each_format_with_the_same_numbers(audited, tmp_path):
    prog, _ = audited
    runner = current_app.test_cli_runner()
    for fmt in ("json", "csv", "pdf"):
        out = tmp_path / f"audit.{fmt}"
        res = runner.invoke(args=["audit", prog.slug, "--format", fmt, "-o", str(out)])
        assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "audit.json").read_text())
    yes = next(g for g in data["dimensions"]["poc_led"]["groups"] if g["group"] == "yes")
    for key in ("group", "applicants", "awards", "award_rate", "impact_ratio", "dollars_requested",
                "dollars_awarded", "fisher_p", "suppressed"):
        assert key in yes
    rows = list(csv.reader(io.StringIO((tmp_path / "audit.csv").read_text())))
    assert rows[0] == list(exports.CSV_HEADER)
    csv_rate = next(r for r in rows if r[:5] == ["groups", "poc_led", "yes", "", "award_rate"])
    assert float(csv_rate[5]) == yes["award_rate"] == pytest.approx(15 / 120)
    assert [float(csv_rate[6]), float(csv_rate[7])] == yes["award_rate_ci"]
    csv_ir = next(r[5] for r in rows if r[:5] == ["groups", "poc_led", "yes", "", "impact_ratio"])
    assert float(csv_ir) == yes["impact_ratio"]
    sidecar = json.loads((tmp_path / "audit.csv-metadata.json").read_text())
    assert sidecar["url"] == "audit.csv" and sidecar["suppression"]["k"] == 11
    assert [c["name"] for c in sidecar["tableSchema"]["columns"]] == list(exports.CSV_HEADER)
    assert (tmp_path / "audit.pdf").read_bytes().startswith(b"%PDF")
    res = runner.invoke(args=["audit", "no-such-program", "--format", "json", "-o", str(tmp_path / "x.json")])
    assert res.exit_code != 0 and "no program with the slug 'no-such-program'" in res.output


def test_pdf_reads_back_with_contents_page_numbers_metadata_and_tags(audited):
    prog, _ = audited
    report = build_report(prog)
    pdf = exports.to_pdf(report)
    reader = PdfReader(io.BytesIO(pdf))
    n = len(reader.pages)
    assert n >= 9  # a page per dimension after the findings
    assert reader.metadata.title == f"Equity audit — {prog.title}"
    assert reader.metadata.author == "Riverside Health Foundation"
    first = reader.pages[0].extract_text()
    assert "Data vintage: Applications through 2026-03-31" in first and "Rubric version: 1" in first
    assert "What this audit found, and what to do next" in first and "Suppression: k = 11" in first
    assert "What to do next:" in first
    assert "Glossary" in reader.pages[1].extract_text() and "Four-fifths rule" in reader.pages[1].extract_text()
    first = reader.pages[2].extract_text()
    assert "Contents" in first
    # The table of contents gives each section's page, and that page really holds it.
    toc = dict((title, int(page)) for title, page in re.findall(r"(Led by people of color|Community-led|Need benchmarks)"
                                                              r" \.+ ?(\d+)", " ".join(first.split())))
    assert set(toc) == {"Led by people of color", "Community-led", "Need benchmarks"}
    for title, page in toc.items():
        assert title in reader.pages[page - 1].extract_text()
    for i, page in enumerate(reader.pages, 1):
        assert f"Page {i} of {n}" in page.extract_text()
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Organizations led by people of color were 60% of applicants" in " ".join(text.split())
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "/StructTreeRoot" in doc.Root and bool(doc.Root.MarkInfo.Marked)
        assert str(doc.Root.Lang) == "en"
        with doc.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"


class _KindPlugin:
    @hookimpl
    def grantflow_audit_dimensions(self):
        return [Dimension("org_kind", "Kind of organization", lambda f, c: f.organization_kind, ("cbo", "network"),
                          focus_phrase="Community-based organizations")]


def test_a_plugin_adds_a_dimension(audited):
    from grantflow.plugins import load_plugins

    prog, _ = audited
    pm = load_plugins()
    plugin = _KindPlugin()
    pm.register(plugin, "test-kind-plugin")
    try:
        report = build_report(prog)
    finally:
        pm.unregister(plugin)
    groups = {g["group"]: g for g in report["dimensions"]["org_kind"]["groups"]}
    assert groups["cbo"]["applicants"] == 200 and groups["network"]["applicants"] == 0
    assert "org_kind" not in build_report(prog)["dimensions"]


def test_with_and_without_the_priority_rules(audited):
    from dataclasses import replace

    from grantflow.equity.metrics import greedy_funded
    from grantflow.scoring.engine import latest_results, program_config, rescore
    from grantflow.scoring.services import save_config

    prog, _ = audited
    # Every rule at weight 1: a new program leads with the rubric, and this is about the priority rules' pull.
    save_config(prog, [replace(c, weight=1.0) for c in program_config(prog)])
    rescore(prog.id)
    db.session.commit()
    report = build_report(prog)
    assert report["scored"] == {"rubric": True, "rules": True}
    rows = {g["group"]: g for g in report["dimensions"]["poc_led"]["priority_rules"]["groups"]}
    assert set(rows["yes"]) >= {"rubric_only", "with_rules"}
    # The same greedy funding, recomputed here from the scoring engine's own results.
    results = latest_results(prog.id)
    apps = sorted(results)
    amounts = {a.id: a.amount_requested_cents for a in db.session.execute(
        select(Application).where(Application.program_id == prog.id)).scalars()}
    for scenario, attr in (("rubric_only", "merit"), ("with_rules", "total")):
        funded = greedy_funded([getattr(results[a], attr) for a in apps], [amounts[a] for a in apps],
                               prog.budget_cents)
        total_funded = int(funded.sum())
        shown = sum(rows[g][scenario]["awards"] or 0 for g in rows)
        assert shown == total_funded or any(rows[g][scenario]["awards"] is None for g in rows)
    # The POC-led priority rule moves dollars toward organizations led by people of color.
    assert rows["yes"]["with_rules"]["share_of_dollars"] > rows["yes"]["rubric_only"]["share_of_dollars"]
    assert any("with the priority rules" in f["text"] for f in report["findings"])


@pytest.mark.parametrize("n", [0, 3])
def test_a_program_with_no_or_few_applications_still_audits(app, login, n):
    funder = F.funder()
    prog, _ = build_program(funder, [Spec(poc=True, awarded=i == 0) for i in range(n)], slug=f"tiny-{n}")
    officer = F.user(org=funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    client = login(officer)
    assert client.get(f"/programs/{prog.slug}/audit").status_code == 200
    data = client.get(f"/programs/{prog.slug}/audit.json").json
    # Program totals are never withheld; three organizations' identity groups are.
    assert data["totals"]["applicants"] == n and data["totals"]["awards"] == (1 if n else 0)
    if n:
        assert data["findings"][0]["text"].startswith("3 applications were received. 1 was awarded")
        for key in ("poc_led", "community_led"):
            hidden = [g for g in data["dimensions"][key]["groups"] if g["applicants"] is None]
            assert len(hidden) >= 2 and all(g["applicants"] in (None, 0) for g in data["dimensions"][key]["groups"])
    assert client.get(f"/programs/{prog.slug}/audit.pdf").data.startswith(b"%PDF")


def test_attribution_tells_by_design_from_unintended(audited):
    """POC-led applications are scored lower by one reviewer and funded less; the POC-led rule
    moves dollars back. The parts add up to the gap, each step checked against the funded sets the
    report publishes (same budget), and the page and PDF carry one table and one sentence."""
    from grantflow.scoring.engine import rescore

    prog, _ = audited
    rescore(prog.id)
    db.session.commit()
    report = build_report(prog)
    dim = report["dimensions"]["poc_led"]
    att = dim["attribution"]["yes"]
    parts = {c["key"]: c for c in att["components"]}
    assert sum(c["points"] for c in parts.values()) == pytest.approx(att["gap"])
    yes = next(g for g in dim["groups"] if g["group"] == "yes")
    assert att["gap"] == pytest.approx(yes["rate_difference"]) == pytest.approx(15 / 120 - 32 / 80)
    n, rest = 120, 80
    pr = next(g for g in dim["priority_rules"]["groups"] if g["group"] == "yes")
    totals = report["totals"]["funded"]
    gap = {s: pr[s]["awards"] / n - (totals[s] - pr[s]["awards"]) / rest for s in ("rubric_only", "with_rules")}
    assert parts["priority_rules"]["points"] == pytest.approx(gap["with_rules"] - gap["rubric_only"])
    assert parts["priority_rules"]["points"] > 0 and parts["priority_rules"]["kind"] == "by design"
    assert parts["decisions"]["points"] == pytest.approx(att["gap"] - gap["with_rules"])
    assert parts["who_applied"]["points"] + parts["rubric"]["points"] == pytest.approx(gap["rubric_only"])
    # Sam marks Criterion 1 down most (−0.54 points), but Criterion 3 weighs three times as much
    # (weights 1, 2, 3): its −0.33 is the larger part of the weighted score gap.
    crit = {c["criterion"]: c for c in att["criteria"]}
    assert crit["Criterion 1"]["gap"] < crit["Criterion 3"]["gap"] < 0
    assert att["criteria"][0]["criterion"] == "Criterion 3"
    assert crit["Criterion 3"]["weighted_gap"] == pytest.approx(crit["Criterion 3"]["gap"] * 3 / 6)
    assert [r["reviewer"] for r in att["reviewers"]] == ["Sam"]
    flag = next(f for f in report["findings"] if f["kind"] == "flag" and f["attribution"] is att)
    assert "points from the priority rules (by design)" in flag["text"] and "reviewer Sam" in flag["text"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(exports.to_pdf(report))).pages).split())
    assert "Where the gap comes from: yes" in text and "by design" in text


class _IdentityPlugin:
    identity = True

    @hookimpl
    def grantflow_audit_dimensions(self):
        # Six organizations in "network": an identity dimension withholds them, another shows them.
        return [Dimension("org_kind", "Kind of organization", lambda f, c: "network" if f.application_id % 33 == 0
                          else "cbo", ("cbo", "network"), identity=self.identity)]


@pytest.mark.parametrize("identity", [True, False])
def test_a_plugin_dimension_declares_itself_identity_based(audited, identity):
    from grantflow.plugins import load_plugins

    prog, _ = audited
    pm = load_plugins()
    plugin = _IdentityPlugin()
    plugin.identity = identity
    pm.register(plugin, "test-identity-plugin")
    try:
        report = build_report(prog)
    finally:
        pm.unregister(plugin)
    dim = report["dimensions"]["org_kind"]
    groups = {g["group"]: g for g in dim["groups"]}
    assert dim["identity"] is identity
    assert 0 < sum(1 for s in range(1, 201) if s % 33 == 0) < 11
    if identity:
        assert groups["network"]["applicants"] is None and groups["cbo"]["applicants"] is None
        assert "org_kind" in report["suppression"]["identity_dimensions"]
    else:
        assert groups["network"]["applicants"] == 200 - groups["cbo"]["applicants"] > 0


def test_csv_is_tidy_numeric_and_formula_guarded(audited):
    prog, _ = audited
    prog.title = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    report = build_report(prog)
    report["findings"].append({"kind": "note", "dimension": None, "group": None, "text": "=1+2", "next_step": None})
    text = exports.to_csv(report)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(exports.CSV_HEADER) and all(len(r) == len(rows[0]) for r in rows)
    assert sum(1 for r in rows if r == rows[0]) == 1  # one header row, nothing above it
    for r in rows[1:]:
        for cell in r[5:8]:
            if cell:
                float(cell)  # value, ci_low, ci_high: numbers only
        assert r[8] in ("", "withheld", "not applicable", "too few to tell"), r
    assert any(r[9] == "'=1+2" for r in rows) and not any(c.startswith("=") for r in rows for c in r)
    meta = exports.csv_metadata(report)
    assert meta["program"]["title"].startswith("=") and meta["tableSchema"]["columns"][5]["datatype"] == "number"


def test_an_earlier_cycle_is_audited_without_the_cycles_after_it(audited):
    """Found by hand: the closed 2025 audit had a 2026 column built from the open cycle's draft,
    unreleased decisions, and changed as they were made. A cycle is compared with the cycles up to
    itself only: its audit stays as it was, on every output."""
    from grantflow.decisions.models import Decision
    from grantflow.programs.models import Program

    later, _ = audited
    earlier = db.session.execute(select(Program).where(Program.slug == "health-2025")).scalar_one()

    def outputs():
        report = build_report(earlier)
        text = json.loads(exports.to_json(report))
        text.pop("generated_at", None)
        return report, json.dumps(text, sort_keys=True), exports.to_csv(report)

    report, before, table = outputs()
    assert report["cycles"] == []
    assert "2026" not in table and "health-2026" not in before
    decision = db.session.execute(select(Decision).where(Decision.program_id == later.id)).scalars().first()
    decision.outcome = "decline" if decision.outcome == "award" else "award"
    db.session.commit()
    assert outputs()[1:] == (before, table)
    # The later cycle still compares itself with the earlier one.
    assert [c["program"]["cycle_label"] for c in build_report(later)["cycles"]] == ["2025", "2026"]
