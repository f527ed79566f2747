"""The audit report as JSON (docs/audit-json.md), CSV (one tidy row per figure), HTML and PDF.

All four are rendered from the same suppressed report dict, so they carry the same numbers and
withhold the same ones ("Insufficient sample" in CSV, HTML and PDF; `null` with `suppressed: true`
in JSON).
"""
from __future__ import annotations

import itertools
import json
from typing import Any, Iterator

from flask import render_template

from grantflow.core import csvfile
from grantflow.equity import charts
from grantflow.equity.data import STAGE_LABELS, STAGES
from grantflow.equity.suppression import INSUFFICIENT

GROUP_MEASURES = ("applicants", "awards", "award_rate", "share_of_applicants", "share_of_awards",
                  "share_of_dollars", "share_of_dollars_requested", "dollars_requested", "dollars_awarded",
                  "dollars_awarded_per_requested", "impact_ratio", "is_reference", "below_four_fifths",
                  "fisher_p", "small_sample")
SCORE_MEASURES = ("n", "mean", "mean_rest", "gap", "mannwhitney_p", "effect_size")
CSV_HEADER = ("section", "dimension", "group", "item", "measure", "value")
# Each download format and its content type.
FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "json": "application/json"}


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _value(v: Any, withheld: bool) -> str:
    if v is None:
        return INSUFFICIENT if withheld else ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def csv_rows(report: dict) -> Iterator[tuple]:
    t = report["totals"]
    hidden_totals = set(t["suppressed"])
    for m in ("applicants", "awards", "award_rate", "dollars_requested", "dollars_awarded"):
        yield ("totals", "", "", "", m, _value(t[m], bool(hidden_totals)))
    for s in STAGES:
        yield ("totals", "", "", s, "count", _value(t["stages"][s], s in hidden_totals))
    for key, dim in report["dimensions"].items():
        for m in ("reference_group", "demographic_parity_ratio", "demographic_parity_difference"):
            yield ("dimension", key, "", "", m, _value(dim[m], False))
        for g in dim["groups"]:
            for m in GROUP_MEASURES:
                yield ("groups", key, g["group"], "", m, _value(g[m], g["suppressed"]))
            sc = g.get("score")
            if sc:
                for m in SCORE_MEASURES:
                    yield ("scores", key, g["group"], "", m, _value(sc[m], sc["suppressed"]))
        for row in dim["funnel"]:
            for s in STAGES:
                yield ("funnel", key, row["group"], s, "count", _value(row["stages"][s], row["suppressed"]))
                yield ("funnel", key, row["group"], s, "share_reaching",
                       _value(row["share_reaching"][s], row["suppressed"]))
        for c in dim["criteria"]:
            for g in c["groups"]:
                for m in ("n", "mean", "gap", "mannwhitney_p", "effect_size", "flagged"):
                    yield ("criteria", key, g["group"], c["label"], m, _value(g[m], g["suppressed"]))
        rv = dim["reviewers"]
        if rv["panel"]:
            yield ("reviewers", key, rv["focus_group"], "panel", "n_reviews", _value(rv["panel"]["n_reviews"], False))
            yield ("reviewers", key, rv["focus_group"], "panel", "gap", _value(rv["panel"]["gap"], rv["panel"]["suppressed"]))
        elif rv["suppressed"]:
            yield ("reviewers", key, rv["focus_group"], "panel", "gap", INSUFFICIENT)
        for r in rv["reviewers"]:
            for m in ("n_reviews", "n_group", "n_rest", "gap", "difference_from_panel", "enough_reviews", "flagged"):
                yield ("reviewers", key, rv["focus_group"], r["reviewer"], m, _value(r[m], r["suppressed"]))
        for g in dim["priority_rules"]["groups"]:
            for scenario in ("rubric_only", "with_rules"):
                if scenario in g:
                    sc = g[scenario]
                    for m in ("awards", "award_rate", "impact_ratio", "share_of_dollars", "dollars_awarded"):
                        yield ("priority_rules", key, g["group"], scenario, m, _value(sc[m], sc["suppressed"]))
    nb = report["need_benchmarks"]
    for m in ("priority_places", "share_of_population", "share_of_need", "share_of_dollars", "share_of_applicants"):
        yield ("need_benchmarks", "priority_place", "yes", "", m, _value(nb[m], m in ("share_of_dollars", "share_of_applicants")))
    for p in nb["places"]:
        for m in ("population", "need_index", "share_of_population", "applicants", "awards", "dollars_awarded",
                  "share_of_dollars"):
            yield ("need_benchmarks", "place", p["geoid"], p["name"], m, _value(p[m], p["suppressed"]))
    from grantflow.awards.money_moving import csv_rows as money_moving_rows

    yield from money_moving_rows(report)
    for cyc in report.get("cycles", []):
        label = cyc["program"]["cycle_label"] or cyc["program"]["slug"]
        for key, groups in cyc["dimensions"].items():
            for g in groups:
                for m in ("applicants", "awards", "award_rate", "impact_ratio", "share_of_dollars"):
                    yield ("cycles", key, g["group"], label, m, _value(g[m], g["suppressed"]))
    for i, f in enumerate(report["findings"], 1):
        yield ("findings", f["dimension"] or "", f["group"] or "", f"{i}:{f['kind']}", "text", f["text"])
        if f["next_step"]:
            yield ("findings", f["dimension"] or "", f["group"] or "", f"{i}:{f['kind']}", "next_step", f["next_step"])


def to_csv(report: dict) -> str:
    head = ("format", report["format"], "format_version", report["format_version"],
            "program", report["program"]["slug"])
    return csvfile.to_text(itertools.chain((head, CSV_HEADER), csv_rows(report)), lineterminator="\n")


def template_context(report: dict, *, for_pdf: bool = False) -> dict:
    chart_set = {key: {"rate": charts.rate_chart(d), "share": charts.share_chart(d),
                       "funnel": charts.funnel_chart(d, STAGES)} for key, d in report["dimensions"].items()}
    return {"report": report, "charts": chart_set, "stages": STAGES, "stage_labels": STAGE_LABELS,
            "for_pdf": for_pdf}


def to_html(report: dict, *, for_pdf: bool = False) -> str:
    return render_template("equity/report_pdf.html" if for_pdf else "equity/audit.html",
                           **template_context(report, for_pdf=for_pdf))


def to_pdf(report: dict) -> bytes:
    html = to_html(report, for_pdf=True)
    p = report["program"]
    title = f"Equity audit — {p['title']}"
    subject = f"Equity audit of {p['title']} ({p['funder']})"
    from grantflow.core.pdf import render_pdf

    return render_pdf(html, title=title, author=p["funder"], subject=subject, lang="en", variant="pdf/ua-1")


def export(report: dict, fmt: str) -> str | bytes:
    """The report in one of FORMATS (the page's downloads and `grantflow audit`)."""
    return {"pdf": to_pdf, "csv": to_csv, "json": to_json}[fmt](report)
