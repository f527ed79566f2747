"""Suppression of small identity groups: the rules, then an attacker trying to recover a withheld
count from every output — the JSON, the CSV, the page's HTML and the PDF's text — by totals minus
the visible groups, by funnel arithmetic, by shares (and rates) times totals, by dollars against
the total, and by pooled cycles minus the cycles shown."""
from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.equity import exports
from grantflow.equity.report import build_report
from grantflow.equity.suppression import WITHHELD, withhold
from tests import factories as F
from tests.equity.builders import Spec, build_program

STAGES = ("applied", "eligible", "reviewed", "recommended", "awarded")


# --- the rules ---------------------------------------------------------------------------------

def _w(applied: dict, k: int = 11, **columns):
    return withhold({"applied": applied, **columns}, dict(applied), k)


def test_a_group_under_k_is_withheld_with_the_next_smallest():
    w = _w({"yes": 50, "no": 7, "not reported": 30})
    assert w.rows == {"no", "not reported"}  # "not reported" is a group like the others


def test_groups_of_k_or_more_are_shown_and_zero_is_shown():
    assert _w({"yes": 11, "no": 11, "not reported": 0}).rows == set()
    # A lone small group beside an empty one still takes a shown group with it.
    assert _w({"yes": 40, "no": 3, "not reported": 0}).rows == {"no", "yes"}
    # With no other organization, an empty group is withheld with it (shown 0s would tell).
    assert _w({"yes": 3, "no": 0, "not reported": 0}).rows == {"yes", "no"}


def test_withheld_cells_whose_sum_tells_their_values_take_another_group():
    # Two withheld groups of one organization each: only 1 + 1 adds up to 2.
    assert _w({"a": 1, "b": 1, "c": 40, "d": 60}).rows == {"a", "b", "c"}
    # Two withheld groups of k − 1 each (both withheld for their size): only 10 + 10.
    assert "c" in _w({"a": 10, "b": 10, "c": 40, "d": 60}).rows


def test_a_column_where_the_withheld_groups_hold_none_withholds_a_shown_cell_there_only():
    w = _w({"yes": 20, "no": 6, "not reported": 10}, awarded={"yes": 7, "no": 1, "not reported": 2},
           with_rules={"yes": 10, "no": 0, "not reported": 0})
    assert w.rows == {"no", "not reported"}
    assert w.cell("with_rules", "yes") and not w.cell("awarded", "yes")  # "none of them" would be told


def test_a_column_whose_total_is_zero_withholds_nothing_more():
    w = _w({"yes": 20, "no": 6, "not reported": 10}, awarded={"yes": 0, "no": 0, "not reported": 0})
    assert not w.cell("awarded", "yes")


def test_dollars_rest_on_awardees():
    applied = {"yes": 30, "no": 25, "not reported": 12}
    awardees = {"yes": 12, "no": 4, "not reported": 11}
    w = withhold({"applied": applied}, applied, 11,
                 dollars={"awarded": (awardees, {"yes": 5e6, "no": 1e6, "not reported": 3e6})})
    assert w.rows == set()
    # "no" has 4 awardees: its dollars are withheld, and the smallest other amount with them.
    assert w.dollars["awarded"] == {"no", "not reported"}


def test_forced_groups_and_k():
    assert _w({"a": 30, "b": 40, "c": 50}, k=31).rows == {"a", "b"}
    assert withhold({"applied": {"a": 30, "b": 40, "c": 50}}, {"a": 30, "b": 40, "c": 50}, 11,
                    forced={"b"}).rows == {"b", "a"}


def test_non_identity_dimensions_are_shown_in_full(app):
    funder = F.funder()
    prog, _ = build_program(funder, [Spec(poc=True, awarded=i < 5, budget=100_000_00 if i < 3 else 2_000_000_00)
                                     for i in range(30)])
    db.session.commit()
    report = build_report(prog)
    bands = {g["group"]: g for g in report["dimensions"]["budget_band"]["groups"]}
    assert bands["under $250k"]["applicants"] == 3 and bands["under $250k"]["awards"] == 3
    assert not report["dimensions"]["budget_band"]["identity"] and report["dimensions"]["poc_led"]["identity"]
    # Program totals are never withheld, even when every identity group is.
    assert report["totals"]["applicants"] == 30 and report["totals"]["awards"] == 5
    assert report["totals"]["dollars_awarded"] == 250_000.0


def test_counts_inside_a_shown_group_none_and_all(app):
    funder = F.funder()
    specs = [Spec(poc=True, awarded=False) for _ in range(12)] + [Spec(poc=False, awarded=True) for _ in range(11)]
    prog, _ = build_program(funder, specs)
    db.session.commit()
    groups = {g["group"]: g for g in build_report(prog)["dimensions"]["poc_led"]["groups"]}
    assert (groups["yes"]["applicants"], groups["yes"]["awards"], groups["yes"]["award_rate"]) == (12, 0, 0.0)
    assert (groups["no"]["applicants"], groups["no"]["awards"], groups["no"]["award_rate"]) == (11, 11, 1.0)
    assert groups["not reported"]["applicants"] == 0 and not groups["not reported"]["suppressed"]


# --- the attacker ----------------------------------------------------------------------------------

HIDDEN = {"no": {"applied": 7, "awarded": 2}, "not reported": {"applied": 30, "awarded": 12}}
VISIBLE = {"yes": {"applied": 50, "awarded": 15}}


@pytest.fixture
def audited(app):
    """POC-led: yes 50 applicants (15 awards), no 7 (2), not reported 30 (12); all reviewed."""
    funder = F.funder()
    specs = []
    for poc, n, a in ((True, 50, 15), (False, 7, 2), (None, 30, 12)):
        for i in range(n):
            specs.append(Spec(poc=poc, awarded=i < a, requested=(40_000_00 + 1000_00 * (i % 7)),
                              reviews={"Rae": [3 + (i % 3) - 1, 4, 3]}))
    prog, _ = build_program(funder, specs, slug="suppression-audit")
    officer = F.user(org=funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    return prog, officer


def _num(text: str):
    text = text.strip()
    if not text or text == "—" or WITHHELD in text:
        return None
    text = text.split("(")[0].strip()
    if text.endswith("%"):
        return float(text[:-1].replace(",", "")) / 100
    return float(text.replace("$", "").replace(",", "").replace("<", "").replace("\u2212", "-").strip())


def _attack(groups: dict, funnel: dict, totals: dict):
    """`groups[group][measure]`, `funnel[group][stage]`, `totals[measure]` as read from an output,
    None where withheld. Asserts no withheld count can be worked out."""
    n_total, a_total = totals["applicants"], totals["awards"]
    assert n_total == 87 and a_total == 29  # the totals themselves are public
    for column, measure in (("applied", "applicants"), ("awarded", "awards")):
        unknown = [g for g in groups if groups[g][measure] is None]
        # Totals minus the visible groups leaves at least two unknowns: no single one recovered.
        assert len(unknown) >= 2, (column, unknown)
        assert set(HIDDEN) <= set(unknown)
        remainder = (n_total if column == "applied" else a_total) - sum(
            groups[g][measure] for g in groups if groups[g][measure] is not None)
        assert remainder == sum(HIDDEN[g][column] for g in HIDDEN)  # only the sum is learnt
    for g in HIDDEN:
        # Shares × totals and rates × counts: nothing that multiplies back to a withheld count.
        for measure in ("share_of_applicants", "share_of_awards", "share_of_dollars", "award_rate",
                        "dollars_requested", "dollars_awarded", "impact_ratio", "fisher_p", "rate_difference"):
            if measure in groups[g]:
                assert groups[g][measure] is None, (g, measure)
        # Funnel arithmetic: no stage of a withheld group is shown, and every stage total minus the
        # visible groups still has two unknowns.
        assert all(funnel[g][s] is None for s in STAGES), (g, funnel[g])
    for s in STAGES:
        assert sum(1 for g in funnel if funnel[g][s] is None) != 1
    # Counts inside the shown group are shown, and so are its dollars (15 awardees ≥ k).
    assert groups["yes"]["applicants"] == 50 and groups["yes"]["awards"] == 15
    assert groups["yes"]["share_of_dollars"] is not None


def test_json_output_withholds_and_cannot_be_recovered(audited):
    prog, _ = audited
    data = json.loads(exports.to_json(build_report(prog)))
    dim = data["dimensions"]["poc_led"]
    groups = {g["group"]: g for g in dim["groups"]}
    funnel = {r["group"]: r["stages"] for r in dim["funnel"]}
    assert all(groups[g]["suppressed"] for g in HIDDEN) and not groups["yes"]["suppressed"]
    _attack(groups, funnel, data["totals"])
    assert all(groups[g]["score"]["n"] is None for g in HIDDEN)
    assert data["suppression"]["k"] == 11 and "no withheld count" in data["suppression"]["rule"]


def test_csv_output_withholds_and_cannot_be_recovered(audited):
    prog, _ = audited
    rows = list(csv.DictReader(io.StringIO(exports.to_csv(build_report(prog)))))
    groups, funnel, totals = {}, {}, {}
    for r in rows:
        value = None if r["value"] == "" else float(r["value"])
        if r["section"] == "totals" and not r["item"]:
            totals[r["measure"]] = value
        if r["dimension"] != "poc_led":
            continue
        if r["section"] == "groups":
            groups.setdefault(r["group"], {})[r["measure"]] = value
        if r["section"] == "funnel" and r["measure"] == "count":
            funnel.setdefault(r["group"], {})[r["item"]] = value
    withheld = [r for r in rows if r["dimension"] == "poc_led" and r["group"] == "no" and r["status"] == WITHHELD]
    assert len(withheld) >= 10 and all(r["value"] == "" for r in withheld)
    _attack(groups, funnel, totals)
    assert next(r for r in rows if r["section"] == "suppression" and r["measure"] == "k")["value"] == "11"


class _Tables(HTMLParser):
    """Reads the audit page's tables by their data-table / data-group / data-measure attributes."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._row = self._measure = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-table" in a:
            self.tables.append({"table": a["data-table"], "dimension": a.get("data-dimension"), "rows": {}})
        elif tag == "tr" and "data-group" in a and self.tables:
            self._row = self.tables[-1]["rows"].setdefault(a["data-group"], {})
        elif tag == "td" and "data-measure" in a and self._row is not None:
            self._measure, self._text = a["data-measure"], ""

    def handle_data(self, data):
        if self._measure:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "td" and self._measure:
            if not self._measure.endswith(("_ci", "evidence")):
                self._row[self._measure] = _num(self._text)
            self._measure = None
        elif tag == "tr":
            self._row = None


def page_tables(html: str):
    p = _Tables()
    p.feed(html)
    return lambda t, d=None: next(x for x in p.tables if x["table"] == t and x["dimension"] == d)["rows"]


def test_page_html_withholds_and_cannot_be_recovered(audited, login):
    prog, officer = audited
    html = login(officer).get(f"/programs/{prog.slug}/audit").get_data(as_text=True)
    find = page_tables(html)
    groups = find("groups", "poc_led")
    for g, row in find("dollars", "poc_led").items():
        groups[g].update(row)
    funnel = {g: {s[len("stage_"):]: v for s, v in row.items() if s.startswith("stage_")}
              for g, row in find("funnel", "poc_led").items()}
    totals = find("totals")["all"]
    _attack(groups, funnel, {"applicants": totals["applicants"], "awards": totals["awards"]})
    assert WITHHELD in html and "k = 11" in html


def _section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def test_pdf_text_withholds_and_cannot_be_recovered(audited):
    prog, _ = audited
    pdf = exports.to_pdf(build_report(prog))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    # Drop the running header and the page numbers, which are not figures.
    pages = [re.sub(r"Page \d+ of \d+", "", t).replace(f"Equity audit · {prog.title}", "") for t in pages]
    text = " ".join(" ".join(pages).split())
    groups = _section(text, "Award rates by group, with 95% intervals: Led by people of color", "Funnel by stage")
    funnel = _section(text, "Funnel by stage", "Rubric scores")
    overview = _section(text, "Program totals", "Program totals are never withheld")
    assert "Applications 87" in overview and "Awards 29" in overview
    # The only counts in the group tables are the visible group's; the withheld ones appear
    # nowhere, so totals minus visible (87 − 50, 29 − 15) only gives the sum of two unknown groups.
    counts = [int(t.replace(",", "")) for t in re.findall(r"(?<![\w.$,(%–+−-])\d[\d,]*(?![\w.%,)–])", groups)]
    assert sorted(counts) == [15, 50]
    assert groups.count(WITHHELD) >= 2 * 8
    # Shares: the visible group's are there, none for the withheld (7 = 8.0% × 87, 30 = 34.5% × 87).
    assert "57.5%" in groups and "8.0%" not in groups and "34.5%" not in groups
    funnel_counts = [int(t) for t in re.findall(r"(?<![\w.$,(%-])\d+(?![\w.%,)])", funnel)]
    assert sorted(set(funnel_counts)) == [15, 50]
    assert funnel.count(WITHHELD) >= 2 * 5
    assert "Suppression: k = 11" in text


def test_dollars_of_a_shown_group_with_few_awardees_cannot_be_recovered(app):
    """POC-led yes 30 (4 awards), no 30 (12), not reported 0: both groups are shown, yes's dollars
    rest on 4 awardees and are withheld, and so are no's (total dollars − no's would give them)."""
    funder = F.funder()
    specs = [Spec(poc=True, awarded=i < 4, requested=30_000_00 + i * 100_00) for i in range(30)]
    specs += [Spec(poc=False, awarded=i < 12, requested=45_000_00) for i in range(30)]
    prog, _ = build_program(funder, specs)
    db.session.commit()
    report = build_report(prog)
    groups = {g["group"]: g for g in report["dimensions"]["poc_led"]["groups"]}
    assert groups["yes"]["awards"] == 4 and groups["no"]["awards"] == 12
    for g in ("yes", "no"):
        assert groups[g]["dollars_awarded"] is None and groups[g]["share_of_dollars"] is None
    assert report["totals"]["dollars_awarded"] == (sum(30_000_00 + i * 100_00 for i in range(4)) + 12 * 45_000_00) / 100
    rows = [r for r in csv.DictReader(io.StringIO(exports.to_csv(report)))
            if r["section"] == "groups" and r["dimension"] == "poc_led" and r["measure"] == "dollars_awarded"]
    assert {r["status"] for r in rows if r["group"] in ("yes", "no")} == {WITHHELD}
