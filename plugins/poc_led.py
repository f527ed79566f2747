"""Priority for organizations led by people of color, under the funder's chosen definition.

The definition is `grantflow.facts.leadership_is_poc` (shared with the equity audit); the
parameter names match its arguments. Not reporting earns no priority but never scores below a
reported "no": both get 0 points.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grantflow.plugin_api import (
    N_, Explanation, Param, RuleScore, ScoringRule, explain, hookimpl, leadership_is_poc, percent, share,
)

MAX = 10.0


# The tests combined: whole clauses in a pattern a language may reorder.
COMBINED = {("and", 2): N_("%(first)s and %(second)s"), ("or", 2): N_("%(first)s or %(second)s"),
            ("and", 3): N_("%(first)s and %(second)s and %(third)s"),
            ("or", 3): N_("%(first)s or %(second)s or %(third)s")}
ED_TEST = explain("the executive director identifies as a person of color")
NOT_REPORTED = explain("The organization chose not to report its leadership demographics (or the parts this "
                       "definition needs), so it does not receive this priority. Not reporting is never scored "
                       "below reporting “no”.")


def definition(params: dict) -> Explanation:
    """The program's definition in words: its tests, combined with AND or OR."""
    parts = []
    if params["use_ed"]:
        parts.append(ED_TEST)
    if params["board_share"] is not None:
        parts.append(explain("at least %(share)s of the board are people of color", share=percent(params["board_share"])))
    if params["senior_share"] is not None:
        parts.append(explain("at least %(share)s of senior staff are people of color",
                             share=percent(params["senior_share"])))
    if len(parts) == 1:
        return parts[0]
    return explain(COMBINED[("and" if params["combine"] == "and" else "or", len(parts))],
                   **dict(zip(("first", "second", "third"), parts)))


class PocLedRule(ScoringRule):
    key = "poc_led"
    label = _l("Led by people of color")
    description = _l("Priority for organizations whose leadership meets the program's definition of "
                   "“led by people of color”: tests on the executive director, the board and senior "
                   "staff, combined with OR (any one is enough) or AND (all must be met). "
                   "Organizations that chose not to report do not receive this priority, and are "
                   "never scored below those that reported “no”.")
    version = "1"
    default_enabled = True
    params = (
        Param("use_ed", "bool", True, label=_l("Count an executive director who identifies as a person of color")),
        Param("board_share", "float", 0.5, label=_l("Board share"), min=0, max=1, optional=True,
              help=_l("Share of board members who are people of color, from 0 to 1 (0.5 = 50%). "
                   "Leave blank to not use the board.")),
        Param("senior_share", "float", 0.5, label=_l("Senior staff share"), min=0, max=1, optional=True,
              help=_l("Share of senior staff who are people of color, from 0 to 1. Leave blank to not use it.")),
        Param("combine", "choice", "or", label=_l("Combine the tests with"),
              choices=(("or", _l("OR: any one test is enough")), ("and", _l("AND: every test must be met")))),
    )

    evidence_labels = {"led_by_poc": _l("led by people of color"), "ed_poc": _l("executive director of color"),
                       "board_share": _l("board share"), "senior_share": _l("senior staff share")}

    def check(self, params):
        if not params["use_ed"] and params["board_share"] is None and params["senior_share"] is None:
            return {"board_share": _("Use at least one test: the executive director, the board or senior staff.")}
        return {}

    reads = ("demographics_consented", "ed_poc", "board_poc", "board_total", "senior_poc", "senior_total")

    def score(self, facts, ctx, params) -> RuleScore:
        return self._score(facts, params, definition(params))

    def score_many(self, facts, ctx, params) -> list[RuleScore]:
        """The definition's words are the program's: built once, not once per application."""
        words = definition(params)
        return self.each_distinct(facts, lambda f: self._score(f, params, words))

    def _score(self, facts, params, words: Explanation) -> RuleScore:
        led = leadership_is_poc(facts, use_ed=params["use_ed"], board_share=params["board_share"],
                                senior_share=params["senior_share"], combine=params["combine"])
        evidence = {"led_by_poc": led}
        if facts.demographics_consented:
            evidence.update(ed_poc=facts.ed_poc, board_share=share(facts.board_poc, facts.board_total),
                            senior_share=share(facts.senior_poc, facts.senior_total))
        if led is None:
            return RuleScore(0.0, MAX, NOT_REPORTED, evidence)
        if led:
            return RuleScore(MAX, MAX, explain("Led by people of color under this program's definition: "
                                               "%(definition)s.", definition=words), evidence)
        return RuleScore(0.0, MAX, explain("Does not meet this program's definition of led by people of color "
                                           "(%(definition)s).", definition=words), evidence)


RULE = PocLedRule()


@hookimpl
def grantflow_scoring_rules():
    return [RULE]
