"""Small-cell suppression: the rules, then an attacker trying to recover a hidden count from every
output — the JSON, the CSV, the page's HTML and the PDF's text — by totals minus the visible
groups, by funnel arithmetic, and by shares (and rates) times totals."""
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
from grantflow.equity.suppression import INSUFFICIENT, suppress, suppress_list
from tests import factories as F
from tests.equity.builders import Spec, build_program

STAGES = ("applied", "eligible", "reviewed", "recommended", "awarded")


# --- the rules ---------------------------------------------------------------------------------

def _one(columns: dict, k: int = 11):
    return suppress({"d": columns}, k)["d"]


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    mask = _one({"applied": {"a": 50, "b": 7, "c": 30, "d": 44}})
    assert mask.cells == {("b", "applied"), ("c", "applied")}
    assert mask.totals == set()


def test_zero_is_shown_and_never_a_complement():
    mask = _one({"applied": {"a": 50, "b": 1, "c": 0, "d": 44}})
    assert mask.cells == {("b", "applied"), ("d", "applied")}


def test_a_small_group_loses_its_whole_row_even_zeros():
    mask = _one({"applied": {"a": 50, "b": 4, "c": 30}, "awarded": {"a": 20, "b": 0, "c": 12}})
    assert ("b", "awarded") in mask.cells and ("c", "awarded") in mask.cells  # 0 hidden, and a complement


def test_hidden_cells_whose_sum_tells_their_values_get_another_complement():
    # Two hidden 1s add up to 2: only 1 + 1 is possible.
    mask = _one({"applied": {"a": 1, "b": 1, "c": 40, "d": 60}})
    assert {("a", "applied"), ("b", "applied"), ("c", "applied")} <= mask.cells
    # Two hidden 10s (k − 1) when both are primary: only 10 + 10.
    mask = _one({"applied": {"a": 10, "b": 10, "c": 40, "d": 60}})
    assert ("c", "applied") in mask.cells


def test_total_withheld_everywhere_when_nothing_is_left_to_hide():
    dims = {"x": {"awarded": {"a": 5, "b": 0}}, "y": {"awarded": {"p": 3, "q": 2}}, "z": {"awarded": {"m": 5}}}
    masks = suppress(dims, 11)
    assert all("awarded" in m.totals for m in masks.values())
    assert ("m", "awarded") in masks["z"].cells


def test_k_is_configurable_and_one_turns_it_off():
    assert _one({"applied": {"a": 3, "b": 40}}, k=1).cells == set()
    assert _one({"applied": {"a": 3, "b": 40}}, k=3).cells == set()
    assert _one({"applied": {"a": 3, "b": 40}}, k=4).cells == {("a", "applied"), ("b", "applied")}


def test_lists_with_seeds_keep_the_seed_and_add_a_complement():
    assert suppress_list({"r1": 12, "r2": 3, "r3": 40}, 11) == {"r2", "r1"}
    assert suppress_list({"r1": 12, "r2": 30, "r3": 40}, 11, seed={"r3"}) == {"r3", "r1"}


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
    if not text or text == "—" or INSUFFICIENT in text:
        return None
    text = text.split("(")[0].strip()
    if text.endswith("%"):
        return float(text[:-1].replace(",", "")) / 100
    return float(text.replace("$", "").replace(",", "").replace("<", "").strip())


def _attack(groups: dict, funnel: dict, totals: dict):
    """`groups[group][measure]`, `funnel[group][stage]`, `totals[measure]` as read from an output,
    None where withheld. Asserts no hidden count can be worked out."""
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
        # Shares × totals and rates × counts: nothing that multiplies back to a hidden count.
        for measure in ("share_of_applicants", "share_of_awards", "share_of_dollars", "award_rate",
                        "dollars_requested", "dollars_awarded", "impact_ratio", "fisher_p"):
            if measure in groups[g]:
                assert groups[g][measure] is None, (g, measure)
        # Funnel arithmetic: no stage of a hidden group is shown, and every stage total minus the
        # visible groups still has two unknowns.
        assert all(funnel[g][s] is None for s in STAGES), (g, funnel[g])
    for s in STAGES:
        assert sum(1 for g in funnel if funnel[g][s] is None) != 1
    assert groups["yes"]["applicants"] == 50 and groups["yes"]["awards"] == 15


def test_json_output_withholds_and_cannot_be_recovered(audited):
    prog, _ = audited
    data = json.loads(exports.to_json(build_report(prog)))
    dim = data["dimensions"]["poc_led"]
    groups = {g["group"]: g for g in dim["groups"]}
    funnel = {r["group"]: r["stages"] for r in dim["funnel"]}
    assert all(groups[g]["suppressed"] for g in HIDDEN) and not groups["yes"]["suppressed"]
    _attack(groups, funnel, data["totals"])
    # Score sample sizes follow the same pattern.
    assert all(groups[g]["score"]["n"] is None for g in HIDDEN)


def test_csv_output_withholds_and_cannot_be_recovered(audited):
    prog, _ = audited
    text = exports.to_csv(build_report(prog))
    rows = list(csv.reader(io.StringIO(text)))[2:]
    groups, funnel, totals = {}, {}, {}
    for section, dim, group, item, measure, value in rows:
        parsed = None if value in ("", INSUFFICIENT) else value
        if section == "totals" and not item:
            totals[measure] = None if parsed is None else float(parsed)
        if dim != "poc_led":
            continue
        if section == "groups":
            groups.setdefault(group, {})[measure] = None if parsed is None else (
                parsed if parsed in ("true", "false") else float(parsed))
        if section == "funnel" and measure == "count":
            funnel.setdefault(group, {})[item] = None if parsed is None else int(parsed)
    assert sum(1 for r in rows if r[1] == "poc_led" and r[2] == "no" and r[5] == INSUFFICIENT) >= 10
    _attack(groups, funnel, totals)


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
            self._row[self._measure] = _num(self._text)
            self._measure = None
        elif tag == "tr":
            self._row = None


def test_page_html_withholds_and_cannot_be_recovered(audited, login):
    prog, officer = audited
    html = login(officer).get(f"/programs/{prog.slug}/audit").get_data(as_text=True)
    p = _Tables()
    p.feed(html)
    find = lambda t, d=None: next(x for x in p.tables if x["table"] == t and x["dimension"] == d)  # noqa: E731
    groups = find("groups", "poc_led")["rows"]
    funnel = {g: {s: v for s, v in row.items() if s.startswith("stage_")} for g, row in find("funnel", "poc_led")["rows"].items()}
    funnel = {g: {s[len("stage_"):]: v for s, v in row.items()} for g, row in funnel.items()}
    totals = find("totals")["rows"]["all"]
    _attack(groups, funnel, {"applicants": totals["applicants"], "awards": totals["awards"]})
    assert INSUFFICIENT in html


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
    groups = _section(text, "Applicants, awards and dollars by group: Led by people of color", "Funnel by stage")
    funnel = _section(text, "Funnel by stage", "Rubric scores")
    overview = _section(text, "Program totals", "Figures built on counts")
    assert "Applications 87" in overview and "Awards 29" in overview
    # The only counts in the group table are the visible group's; the hidden ones appear nowhere,
    # so totals minus visible (87 − 50, 29 − 15) only gives the sum of two unknown groups.
    counts = [int(t.replace(",", "")) for t in re.findall(r"(?<![\w.$,(%-])\d[\d,]*(?![\w.%,)])", groups)]
    assert sorted(counts) == [15, 50]
    assert groups.count(INSUFFICIENT) >= 2 * 10
    # Shares: the visible group's shares are there, none for the hidden groups (would give 7 = 8.0% × 87).
    assert "57.5%" in groups and "8.0%" not in groups and "34.5%" not in groups
    funnel_counts = [int(t) for t in re.findall(r"(?<![\w.$,(%-])\d+(?![\w.%,)])", funnel)]
    assert sorted(set(funnel_counts)) == [15, 50]
    assert funnel.count(INSUFFICIENT) >= 2 * 5
