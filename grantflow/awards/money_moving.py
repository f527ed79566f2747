"""Equity of money moving, a section of the equity audit: how long awards wait from the decision to
their first payment, and each group's share of the dollars actually paid.

The audit (grantflow/equity/report.py) calls :func:`section` with each dimension's group of every
application and its suppression masks; this module adds nothing to who is counted where. The
same suppression rule applies: a group whose awards are withheld in the audit has its dollars and
shares withheld here too, and the count of awards paid so far is a new count, so it goes through
the audit's list suppression (never exactly one withheld) seeded with those groups; the days to a
first payment follow that count.

Days run from the decision (in the program's time zone) to the first payment's date.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Optional

from sqlalchemy import func, select

from grantflow.awards import models as M
from grantflow.core.db import db
from grantflow.core.timeutil import to_local
from grantflow.decisions.models import AWARD, Decision
from grantflow.programs.models import Program


def _payments(application_ids: list[int]) -> dict[int, tuple[int, int]]:
    """application id -> (days from its award decision to its first payment, cents paid so far)."""
    if not application_ids:
        return {}
    paid = {app_id: (first, int(cents)) for app_id, first, cents in db.session.execute(
        select(M.Instalment.application_id, func.min(M.Instalment.paid_on), func.sum(M.Instalment.amount_cents))
        .where(M.Instalment.application_id.in_(application_ids), M.Instalment.status == M.PAID)
        .group_by(M.Instalment.application_id))}
    decided = db.session.execute(
        select(Decision.application_id, Decision.decided_at, Program.timezone)
        .join(Program, Program.id == Decision.program_id)
        .where(Decision.application_id.in_(list(paid) or [-1]), Decision.outcome == AWARD)).all()
    return {app_id: ((paid[app_id][0] - to_local(at, tz).date()).days, paid[app_id][1]) for app_id, at, tz in decided}


def section(application_ids: list[int], groups: dict[str, list[str]], masks: dict, k: int) -> dict:
    """`groups[dimension key]` is parallel to `application_ids`; `masks` are the audit's
    (grantflow/equity/suppression.py `Mask` per dimension)."""
    from grantflow.equity.suppression import suppress_list

    paid = _payments(application_ids)
    total_cents = sum(c for _, c in paid.values())
    all_days = [d for d, _ in paid.values()]
    # The program's totals are withheld here when the audit withholds its count of awards.
    totals_hidden = any("awarded" in m.totals for m in masks.values()) or 0 < len(paid) < k
    out = {"awards_paid": None if totals_hidden else len(paid),
           "median_days_to_first_payment": None if totals_hidden or not all_days else statistics.median(all_days),
           "dollars_paid": None if totals_hidden else round(total_cents / 100, 2), "dimensions": {}}
    for key, labels in groups.items():
        mask = masks[key]
        days: dict[str, list[int]] = defaultdict(list)
        cents: dict[str, int] = defaultdict(int)
        for app_id, group in zip(application_ids, labels):
            if app_id in paid:
                days[group].append(paid[app_id][0])
                cents[group] += paid[app_id][1]
        names = list(dict.fromkeys(labels))
        withheld = {g for g in names if mask.hidden(g, "awarded") or "awarded" in mask.totals}
        hidden_n = suppress_list({g: len(days[g]) for g in names}, k, seed=withheld)
        rows = []
        for g in names:
            n_hidden, dollars_hidden = g in hidden_n, g in withheld
            share: Optional[float] = cents[g] / total_cents if total_cents else None
            rows.append({
                "group": g,
                "awards_paid": None if n_hidden else len(days[g]),
                "median_days_to_first_payment": None if n_hidden or not days[g] else statistics.median(days[g]),
                "dollars_paid": None if dollars_hidden else round(cents[g] / 100, 2),
                "share_of_dollars_paid": None if dollars_hidden else share,
                "suppressed": n_hidden or dollars_hidden,
            })
        out["dimensions"][key] = rows
    return out


def csv_rows(report: dict):
    """The section's rows of the audit CSV (section, dimension, group, item, measure, value)."""
    from grantflow.equity.suppression import INSUFFICIENT

    mm = report.get("money_moving")
    if not mm:
        return
    for m in ("awards_paid", "median_days_to_first_payment", "dollars_paid"):
        yield ("money_moving", "", "", "", m, "" if mm[m] is None else str(mm[m]))
    for key, rows in mm["dimensions"].items():
        for row in rows:
            for m in ("awards_paid", "median_days_to_first_payment", "dollars_paid", "share_of_dollars_paid"):
                value = row[m]
                yield ("money_moving", key, row["group"], "", m,
                       (INSUFFICIENT if row["suppressed"] else "") if value is None else str(value))
