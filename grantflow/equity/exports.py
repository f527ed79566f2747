"""The audit report as JSON (docs/audit-json.md), tidy CSV with a JSON sidecar, HTML and PDF.

All of them are rendered from the same suppressed report dict, so they carry the same numbers and
withhold the same ones ("withheld" in the CSV's status column, the page and the PDF; `null` in an
object marked `suppressed` in JSON).

The CSV is tidy: one header row, one figure per row, the `value`, `ci_low` and `ci_high` columns
only numbers (booleans as 1/0), a `status` column saying why a value is empty ("withheld", "not
applicable") or how far it can be trusted ("too few to tell"), and every text in a `text` column,
formula-guarded (grantflow/core/csvfile.py). What describes the file (program, k, settings, column meanings) is in its sidecar,
`<file>-metadata.json` (the CSV on the Web convention), not above the header.
"""
from __future__ import annotations

import itertools
import json
from typing import Any, Iterator, Optional

from flask import render_template
from flask_babel import gettext as _

from grantflow.core import csvfile
from grantflow.equity import charts
from grantflow.equity.attribution import DECISIONS
from grantflow.equity.data import STAGES
from grantflow.equity.metrics import TOO_FEW
from grantflow.equity.suppression import WITHHELD
from grantflow.equity.wording import STAGE_LABELS

GROUP_MEASURES = ("applicants", "organizations", "awards", "award_rate", "rate_difference", "share_of_applicants",
                  "share_of_awards", "share_of_dollars", "share_of_dollars_requested", "dollars_requested",
                  "dollars_awarded", "dollars_awarded_per_requested", "impact_ratio", "is_reference",
                  "below_four_fifths", "fisher_p", "small_sample")
# Figures resting on the group's applicants only (the others also on its awards).
ROW_MEASURES = {"applicants", "organizations", "share_of_applicants", "share_of_dollars_requested", "dollars_requested",
                "small_sample", "is_reference"}
DOLLAR_MEASURES = {"share_of_dollars", "dollars_awarded", "dollars_awarded_per_requested"}
EVIDENCE_MEASURES = {"rate_difference", "impact_ratio", "fisher_p"}
SCORE_MEASURES = ("n", "mean", "mean_rest", "gap", "mannwhitney_p", "effect_size")
NOT_APPLICABLE = "not applicable"
CSV_COLUMNS = (
    ("section", "string", "Part of the audit: totals, groups, scores, funnel, criteria, reviewers, priority_rules, "
                          "attribution, need_benchmarks, cycles, pooled, findings, board_summary, suppression."),
    ("dimension", "string", "Dimension key (poc_led, budget_band…); empty for program-wide rows."),
    ("group", "string", "Group key within the dimension (yes, no, not reported, Q4…)."),
    ("item", "string", "What the row is about within the group: a funnel stage, criterion, reviewer, scenario, "
                       "cycle or place."),
    ("measure", "string", "The figure (applicants, award_rate, impact_ratio…); see docs/audit-json.md."),
    ("value", "number", "The figure, a number only (fractions for shares and rates; 1/0 for yes/no); empty when "
                        "withheld or not applicable."),
    ("ci_low", "number", "Lower end of the 95% interval (Wilson for rates, Newcombe for differences)."),
    ("ci_high", "number", "Upper end of the 95% interval."),
    ("status", "string", "Empty, 'withheld' (protects a small identity group), 'not applicable', or "
                         "'too few to tell' (the interval is too wide to tell a gap from none)."),
    ("text", "string", "Text values: labels, the reference group, findings and next steps (formula-guarded)."),
)
CSV_HEADER = tuple(name for name, _, _ in CSV_COLUMNS)
# Each download format and its content type.
FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "json": "application/json",
           "csv-metadata.json": "application/json"}


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


# --- CSV ---------------------------------------------------------------------------------------------

def _number(v: Any) -> Any:
    """A number as the csv module writes it (floats at full precision); booleans as 1/0."""
    if isinstance(v, bool):
        return 1 if v else 0
    return v


def _row(section, dimension, group, item, measure, value, *, withheld=False, ci=None, status=None, text=""):
    """One tidy row; a non-numeric value goes to `text`."""
    if isinstance(value, str):
        value, text = None, value
    if status is None:
        status = WITHHELD if withheld and value is None else (NOT_APPLICABLE if value is None and not text else "")
    lo, hi = (ci or (None, None))
    return (section, dimension or "", group or "", item or "", measure, "" if value is None else _number(value),
            "" if lo is None else _number(lo), "" if hi is None else _number(hi), status, text)


def csv_rows(report: dict) -> Iterator[tuple]:
    s = report["suppression"]
    yield _row("suppression", "", "", "", "k", s["k"])
    yield _row("suppression", "", "", "", "min_k", s["min_k"])
    t = report["totals"]
    for m in ("applicants", "awards", "dollars_requested", "dollars_awarded"):
        yield _row("totals", "", "", "", m, t[m])
    yield _row("totals", "", "", "", "award_rate", t["award_rate"], ci=t["award_rate_ci"])
    for stage in STAGES:
        yield _row("totals", "", "", stage, "count", t["stages"][stage])
    for key, dim in report["dimensions"].items():
        yield _row("dimension", key, "", "", "identity", dim["identity"])
        yield _row("dimension", key, "", "", "reference_group", dim["reference_group"] or None)
        for m in ("demographic_parity_ratio", "demographic_parity_difference"):
            yield _row("dimension", key, "", "", m, dim[m])
        yield from _group_rows(key, dim)
        yield from _dimension_detail(key, dim)
    yield from _places(report["need_benchmarks"])
    from grantflow.awards.money_moving import csv_items as money_moving

    for dimension, group, measure, value, withheld in money_moving(report):
        yield _row("money_moving", dimension, group, "", measure, value, withheld=withheld)
    for cyc in report.get("cycles", []):
        label = cyc["program"]["cycle_label"] or cyc["program"]["slug"]
        for key, groups in cyc["dimensions"].items():
            for g in groups:
                for m in ("applicants", "awards", "award_rate", "impact_ratio", "share_of_dollars"):
                    yield _row("cycles", key, g["group"], label, m, g[m],
                               withheld=g["suppressed"] or (m == "share_of_dollars" and g["dollars_suppressed"])
                               or (m != "applicants" and g["awards_suppressed"]),
                               ci=g["award_rate_ci"] if m == "award_rate" else None)
    pool = report.get("pooled")
    if pool:
        span = f"{pool['cycles'][0]}–{pool['cycles'][-1]}"
        for key, d in pool["dimensions"].items():
            for g in d["groups"]:
                for m in ("applicants", "awards", "award_rate", "cmh_odds_ratio", "cmh_statistic", "cmh_p"):
                    yield _row("pooled", key, g["group"], span, m, g[m],
                               withheld=g["suppressed"] or (m != "applicants" and g["awards_suppressed"]),
                               ci=g["award_rate_ci"] if m == "award_rate" else None)
    for i, f in enumerate(report["findings"], 1):
        yield _row("findings", f["dimension"], f["group"], f"{i}:{f['kind']}", "text", f["text"])
        if f["next_step"]:
            yield _row("findings", f["dimension"], f["group"], f"{i}:{f['kind']}", "next_step", f["next_step"])
    for i, b in enumerate(report["board_summary"], 1):
        yield _row("board_summary", "", "", str(i), "text", b["text"])
        yield _row("board_summary", "", "", str(i), "next_step", b["next_step"])


def _group_rows(key: str, dim: dict) -> Iterator[tuple]:
    for g in dim["groups"]:
        too_few = TOO_FEW if g["evidence"] == TOO_FEW else None
        for m in GROUP_MEASURES:
            hidden = (g["suppressed"] or (m in DOLLAR_MEASURES and g["dollars_suppressed"])
                      or (m not in ROW_MEASURES and g["awards_suppressed"]))
            ci = {"award_rate": g["award_rate_ci"], "rate_difference": g["rate_difference_ci"]}.get(m)
            status = too_few if m in EVIDENCE_MEASURES and g[m] is not None else None
            yield _row("groups", key, g["group"], "", m, g[m], withheld=hidden, ci=ci, status=status)
        sc = g.get("score")
        if sc:
            for m in SCORE_MEASURES:
                yield _row("scores", key, g["group"], "", m, sc[m], withheld=sc["suppressed"])
    for row in dim["funnel"]:
        for stage in STAGES:
            hidden = stage in row["withheld_stages"]
            yield _row("funnel", key, row["group"], stage, "count", row["stages"][stage], withheld=hidden)
            yield _row("funnel", key, row["group"], stage, "share_reaching", row["share_reaching"][stage],
                       withheld=hidden, ci=row["share_reaching_ci"][stage])


def _dimension_detail(key: str, dim: dict) -> Iterator[tuple]:
    for c in dim["criteria"]:
        for g in c["groups"]:
            for m in ("n", "mean", "gap", "mannwhitney_p", "effect_size", "flagged"):
                yield _row("criteria", key, g["group"], c["label"], m, g[m], withheld=g["suppressed"])
    rv = dim["reviewers"]
    if rv["panel"]:
        yield _row("reviewers", key, rv["focus_group"], "panel", "n_reviews", rv["panel"]["n_reviews"])
        yield _row("reviewers", key, rv["focus_group"], "panel", "gap", rv["panel"]["gap"])
        yield _row("reviewers", key, rv["focus_group"], "panel", "reference_gap", rv["panel"]["reference_gap"])
    elif rv["suppressed"]:
        yield _row("reviewers", key, rv["focus_group"], "panel", "gap", None, withheld=True)
    for r in rv["reviewers"]:
        for m in ("n_reviews", "n_group", "n_rest", "gap", "difference_from_panel", "enough_reviews", "flagged"):
            yield _row("reviewers", key, rv["focus_group"], r["reviewer"], m, r[m])
    for g in dim["priority_rules"]["groups"]:
        for scenario in ("rubric_only", "with_rules"):
            if scenario in g:
                sc = g[scenario]
                for m in ("awards", "award_rate", "impact_ratio", "share_of_dollars", "dollars_awarded"):
                    yield _row("priority_rules", key, g["group"], scenario, m, sc[m],
                               withheld=sc["suppressed"] or (m in DOLLAR_MEASURES and sc["dollars_suppressed"]),
                               ci=sc["award_rate_ci"] if m == "award_rate" else None)
    for group, att in dim["attribution"].items():
        yield _row("attribution", key, group, "", "gap", att["gap"])
        decisions = next(c["label"] for c in att["components"] if c["key"] == DECISIONS)
        for c in att["components"]:
            together = c["points"] is None
            yield _row("attribution", key, group, c["key"], "points", c["points"], status=NOT_APPLICABLE if together else None,
                       text=_("counted in “%(part)s” (cannot be told apart)", part=decisions) if together
                       else c["kind_label"])
        for c in att["criteria"]:
            yield _row("attribution", key, group, c["criterion"], "weighted_score_gap", c["weighted_gap"])
        for r in att["reviewers"]:
            yield _row("attribution", key, group, r["reviewer"], "difference_from_panel", r["difference_from_panel"])


def _places(nb: dict) -> Iterator[tuple]:
    for m in ("priority_places", "share_of_population", "share_of_need", "share_of_dollars", "share_of_applicants"):
        yield _row("need_benchmarks", "priority_place", "yes", "", m, nb[m])
    for p in nb["places"]:
        for m in ("population", "need_index", "share_of_population", "applicants", "awards", "dollars_awarded",
                  "share_of_dollars"):
            yield _row("need_benchmarks", "place", p["geoid"], p["name"], m, p[m])


def to_csv(report: dict) -> str:
    return csvfile.to_text(itertools.chain((CSV_HEADER,), csv_rows(report)), lineterminator="\n")


def csv_metadata(report: dict, csv_name: Optional[str] = None) -> dict:
    """The CSV's sidecar (CSV on the Web metadata): what the file is and what its columns mean."""
    p = report["program"]
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_name or f"{p['slug']}-equity-audit.csv",
        "dc:title": _("Equity audit — %(program)s", program=p["title"]),
        "dc:publisher": p["funder"],
        "dc:created": report["generated_at"],
        "format": report["format"], "format_version": report["format_version"],
        "program": p, "suppression": report["suppression"], "settings": report["settings"],
        "tableSchema": {"columns": [{"name": n, "titles": n, "datatype": d, "dc:description": desc}
                                    for n, d, desc in CSV_COLUMNS]},
    }


def to_csv_metadata(report: dict) -> str:
    return to_json(csv_metadata(report))


# --- HTML and PDF ------------------------------------------------------------------------------------

def template_context(report: dict, *, for_pdf: bool = False, **extra) -> dict:
    chart_set = {key: {"rate": charts.rate_chart(d), "share": charts.share_chart(d),
                       "funnel": charts.funnel_chart(d, STAGES)} for key, d in report["dimensions"].items()}
    return {"report": report, "charts": chart_set, "stages": STAGES, "stage_labels": STAGE_LABELS,
            "for_pdf": for_pdf, **extra}


def to_html(report: dict, *, for_pdf: bool = False) -> str:
    return render_template("equity/report_pdf.html" if for_pdf else "equity/audit.html",
                           **template_context(report, for_pdf=for_pdf))


def to_pdf(report: dict) -> bytes:
    html = to_html(report, for_pdf=True)
    p = report["program"]
    title = _("Equity audit — %(program)s", program=p["title"])
    subject = _("Equity audit of %(program)s (%(funder)s)", program=p["title"], funder=p["funder"])
    from grantflow.core.i18n import html_lang
    from grantflow.core.pdf import render_pdf

    return render_pdf(html, title=title, author=p["funder"], subject=subject, lang=html_lang(), variant="pdf/ua-1")


def export(report: dict, fmt: str) -> str | bytes:
    """The report in one of FORMATS (the page's downloads and `grantflow audit`)."""
    return {"pdf": to_pdf, "csv": to_csv, "json": to_json, "csv-metadata.json": to_csv_metadata}[fmt](report)
