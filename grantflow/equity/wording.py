"""The audit's words in the reader's language: the labels of its codes and its numbers as the
locale writes them (Babel).

The report keeps codes (a group's `group`, a row's `evidence`, an attribution part's `key` and
`kind`, the CSV's `status`), the same in every language, for machines; each code a person reads
gets a label beside it (`label`, `evidence_label`, `kind_label`…), worded when the report is built,
in the language of the request (docs/audit-json.md, "Codes and labels"). Sentences are whole
messages with named placeholders, numbers formatted here first.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grantflow.core.i18n import format_currency, format_number, format_percent
from grantflow.equity.metrics import CLEAR, NO_GAP, TOO_FEW

STAGE_LABELS = {"applied": _l("Applied"), "eligible": _l("Eligible"), "reviewed": _l("Reviewed"),
                "recommended": _l("Recommended"), "awarded": _l("Awarded")}
EVIDENCE_LABELS = {CLEAR: _l("clear difference"), NO_GAP: _l("no meaningful difference"),
                   TOO_FEW: _l("too few to tell")}


def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


def evidence_label(code: Optional[str]) -> Optional[str]:
    return None if code is None else str(EVIDENCE_LABELS.get(code, code))


# --- numbers -----------------------------------------------------------------------------------------

def pct(x: Optional[float], digits: int = 0) -> str:
    """A share as the locale writes a percentage ("35%", "35 %"), or "not available"."""
    return _("not available") if x is None else format_percent(x, digits)


def pct_range(ci: Optional[list[float]]) -> str:
    """A 95% interval of a rate: "18–57%"."""
    if not ci:
        return ""
    return _("%(low)s–%(high)s%%", low=format_number(round(ci[0] * 100)), high=format_number(round(ci[1] * 100)))


def signed(x: float, digits: int = 2) -> str:
    """A signed score gap or effect: "+0.25", "-1.50" ("+0,25" in Spanish)."""
    return ("-" if round(x, digits) < 0 else "+") + format_number(abs(x), digits)


def points(x: float) -> str:
    """Signed points of a rate, with a true minus sign: "−21", "+3", "0"."""
    n = round(x * 100)
    return "0" if n == 0 else ("\u2212" if n < 0 else "+") + format_number(abs(n))


def fmt_p(p: Optional[float]) -> str:
    if p is None:
        return _("p not available")
    return "p < " + format_number(0.001, 3) if p < 0.001 else "p = " + format_number(p, 3)


def money(dollars: float) -> str:
    """Dollars (the report's) as whole dollars in the locale's currency format ("$40,000", "40.000 US$"):
    the findings' and the tables' (filter `audit_money`) one conversion to the app's cents."""
    return format_currency(round(dollars * 100), whole=True)


# --- labels beside the report's codes -----------------------------------------------------------------

def add_labels(report: dict) -> dict:
    """Puts a label beside each code of the report a person reads (in place; returns the report):
    a dimension's reference group, withheld groups and reviewers' focus group, each group row's
    evidence."""
    for dim in report["dimensions"].values():
        label_of = {g["group"]: g["label"] for g in dim["groups"]}
        dim["reference_group_label"] = label_of.get(dim["reference_group"]) if dim["reference_group"] else None
        dim["withheld_group_labels"] = [label_of.get(g, g) for g in dim["withheld_groups"]]
        rv = dim["reviewers"]
        rv["focus_group_label"] = label_of.get(rv["focus_group"], rv["focus_group"]) if rv["focus_group"] else None
        for g in dim["groups"]:
            g["evidence_label"] = evidence_label(g["evidence"])
        for c in dim["criteria"]:
            for g in c["groups"]:
                g["label"] = label_of.get(g["group"], g["group"])
    return report
