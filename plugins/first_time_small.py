"""Priority for organizations never funded before by this funder, and for small organizations
(annual budget below a threshold)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grantflow.plugin_api import Param, RuleScore, ScoringRule, clamp, format_money, hookimpl, sentence


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

    def check(self, params):
        if params["first_time_points"] + params["small_points"] <= 0:
            return {"first_time_points": "Give first-time or small organizations some points."}
        return {}

    def score(self, facts, ctx, params) -> RuleScore:
        return self._score(facts, params, _dollars, _dollars(params["budget_threshold_dollars"] * 100))

    def score_many(self, facts, ctx, params) -> list[RuleScore]:
        """The threshold's text is the program's, formatted once; each distinct budget's text is
        formatted once (organizations' budgets repeat)."""
        texts: dict[int, str] = {}

        def dollars(cents: int) -> str:
            text = texts.get(cents)
            if text is None:
                text = texts[cents] = _dollars(cents)
            return text

        limit_text = dollars(params["budget_threshold_dollars"] * 100)
        return [self._score(f, params, dollars, limit_text) for f in facts]

    def _score(self, facts, params, dollars, limit_text: str) -> RuleScore:
        maximum = params["first_time_points"] + params["small_points"]
        limit = params["budget_threshold_dollars"] * 100
        points = 0.0
        said = []
        if facts.first_time:
            points += params["first_time_points"]
            said.append("never funded by this funder before")
        elif facts.first_time is None:
            said.append("funding history unknown")
        else:
            said.append("funded by this funder before")
        budget = facts.annual_budget_cents
        small = None if budget is None else budget < limit
        if small is None:
            said.append("annual budget not reported, so no small-organization priority")
        elif small:
            points += params["small_points"]
            said.append(f"annual budget {dollars(budget)}, below {limit_text}")
        else:
            said.append(f"annual budget {dollars(budget)}, not below {limit_text}")
        text = sentence("; ".join(said)) + "."
        return RuleScore(clamp(points, maximum), maximum, text,
                         {"first_time": facts.first_time, "small": small})


def _dollars(cents: int) -> str:
    return format_money(cents, whole=True)


RULE = FirstTimeSmallRule()


@hookimpl
def grantflow_scoring_rules():
    return [RULE]
