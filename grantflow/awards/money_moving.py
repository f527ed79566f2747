"""Equity of money moving, a section of the equity audit: how long awards wait from the decision to
their first payment, and each group's share of the dollars actually paid.

The audit (grantflow/equity/report.py) calls :func:`section` with its raw dimensions and the same
suppression rule applies (grantflow/equity/suppression.py): the program's figures are shown; in an
identity dimension a group the audit withholds is withheld here too, the count of awards paid is a
new column with its own complementary suppression (the days to a first payment follow it), and a
group's dollars paid rest on its paid organizations (withheld when fewer than k, with complements).

Days run from the decision (in the program's time zone) to the first payment's date.
"""
from __future__ import annotations

import statistics
from collections import defaultdict

from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.awards import models as M
from grantflow.core.db import plain_rows
from grantflow.core.timeutil import to_local
from grantflow.decisions.models import AWARD, Decision
from grantflow.programs.models import Program

MEASURES = ("awards_paid", "median_days_to_first_payment", "dollars_paid", "share_of_dollars_paid")


def _payments(program_id: int, application_ids: list[int]) -> dict[int, tuple[int, int]]:
    """application id -> (days from its award decision to its first payment, cents paid so far),
    of `application_ids` (the program's: selected by program, not by a list of 50,000 ids)."""
    wanted = set(application_ids)
    paid = {app_id: (first, int(cents)) for app_id, first, cents in plain_rows(
        select(M.Instalment.application_id, func.min(M.Instalment.paid_on), func.sum(M.Instalment.amount_cents))
        .join(Application, Application.id == M.Instalment.application_id)
        .where(Application.program_id == program_id, M.Instalment.status == M.PAID)
        .group_by(M.Instalment.application_id)) if app_id in wanted}
    decided = plain_rows(
        select(Decision.application_id, Decision.decided_at, Program.timezone)
        .join(Program, Program.id == Decision.program_id)
        .where(Decision.application_id.in_(list(paid) or [-1]), Decision.outcome == AWARD)).all()
    return {app_id: ((paid[app_id][0] - to_local(at, tz).date()).days, paid[app_id][1]) for app_id, at, tz in decided}


def _median(values: list[int]):
    return statistics.median(values) if values else None


def section(program_id: int, application_ids: list[int], raws: dict, k: int) -> dict:
    """`application_ids` are the program's applications in the audit; `raws` its raw dimensions
    (`RawDimension`: groups, `idx` and `org` parallel to `application_ids`, organizations per
    group, the audit's withheld set)."""
    from grantflow.equity.data import STAGES
    from grantflow.equity.suppression import Withheld, withhold

    paid = _payments(program_id, application_ids)
    # Positions of the paid applications: each dimension reads only those.
    paid_at = [(i, paid[app_id]) for i, app_id in enumerate(application_ids) if app_id in paid]
    total_cents = sum(c for _, c in paid.values())
    out = {"awards_paid": len(paid), "median_days_to_first_payment": _median([d for d, _ in paid.values()]),
           "dollars_paid": round(total_cents / 100, 2), "dimensions": {}}
    for key, raw in raws.items():
        days: dict[str, list[int]] = defaultdict(list)
        cents: dict[str, int] = defaultdict(int)
        payees: dict[str, set[int]] = defaultdict(set)
        # As Python lists: indexing a numpy array once per payment costs more than converting it.
        idx, org, groups = raw.idx.tolist(), raw.org.tolist(), raw.groups
        for i, (d, c) in paid_at:
            g = groups[idx[i]]
            days[g].append(d)
            cents[g] += c
            payees[g].add(org[i])
        counts = {g: len(days[g]) for g in raw.groups}
        base = STAGES[0]
        w = withhold({base: raw.columns[base], "paid": counts}, raw.orgs, k, base=base,
                     dollars={"paid": ({g: len(payees[g]) for g in raw.groups}, {g: float(cents[g]) for g in raw.groups})},
                     forced=raw.withheld.rows) if raw.dim.identity else Withheld()
        rows = []
        for g in raw.groups:
            n_hidden, dollars_hidden = w.cell("paid", g), w.money("paid", g)
            rows.append({
                "group": g,
                "awards_paid": None if n_hidden else counts[g],
                "median_days_to_first_payment": None if n_hidden else _median(days[g]),
                "dollars_paid": None if dollars_hidden else round(cents[g] / 100, 2),
                "share_of_dollars_paid": None if dollars_hidden or not total_cents else cents[g] / total_cents,
                "suppressed": n_hidden or dollars_hidden,
            })
        out["dimensions"][key] = rows
    return out


def csv_items(report: dict):
    """The section's figures for the audit CSV: (dimension, group, measure, value, withheld)."""
    mm = report.get("money_moving")
    if not mm:
        return
    for m in MEASURES[:3]:
        yield "", "", m, mm[m], False
    for key, rows in mm["dimensions"].items():
        for row in rows:
            for m in MEASURES:
                yield key, row["group"], m, row[m], row["suppressed"]
