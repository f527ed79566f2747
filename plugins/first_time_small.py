"""Priority for organizations never funded before by this funder, and for small organizations
(annual budget below a threshold)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grantflow.plugin_api import Param, RuleScore, ScoringRule, clamp, clauses, explain, hookimpl, money


class FirstTimeSmallRule(ScoringRule):
    key = "first_time_small"
    label = _l("First-time and small organizations")
    description = _l("Priority for organizations this funder has never funded before, and for small "
                   "organizations whose annual budget is below the threshold. An organization that did "
                   "not report its budget does not receive the small-organization part.")
    version = "1"
    default_enabled = True
    params = (
        Param("budget_threshold_dollars", "int", 500_000, label=_l("Small-organization budget (dollars)"),
              min=0, max=1_000_000_000, help=_l("Annual budgets below this amount count as small.")),
        Param("first_time_points", "float", 5, label=_l("Points for never funded before"), min=0, max=100),
        Param("small_points", "float", 5, label=_l("Points for a small organization"), min=0, max=100),
    )

    evidence_labels = {"first_time": _l("first time"), "small": _l("small organization")}

    def check(self, params):
        if params["first_time_points"] + params["small_points"] <= 0:
            return {"first_time_points": _("Give first-time or small organizations some points.")}
        return {}

    reads = ("first_time", "annual_budget_cents")

    def score(self, facts, ctx, params) -> RuleScore:
        maximum = params["first_time_points"] + params["small_points"]
        limit = params["budget_threshold_dollars"] * 100
        points = 0.0
        if facts.first_time:
            points += params["first_time_points"]
            history = explain("never funded by this funder before")
        elif facts.first_time is None:
            history = explain("funding history unknown")
        else:
            history = explain("funded by this funder before")
        budget = facts.annual_budget_cents
        small = None if budget is None else budget < limit
        if small is None:
            size = explain("annual budget not reported, so no small-organization priority")
        elif small:
            points += params["small_points"]
            size = explain("annual budget %(budget)s, below %(limit)s", budget=money(budget), limit=money(limit))
        else:
            size = explain("annual budget %(budget)s, not below %(limit)s", budget=money(budget), limit=money(limit))
        return RuleScore(clamp(points, maximum), maximum, clauses(history, size),
                         {"first_time": facts.first_time, "small": small})


RULE = FirstTimeSmallRule()


@hookimpl
def grantflow_scoring_rules():
    return [RULE]
