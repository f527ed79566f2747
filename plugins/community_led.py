"""Priority for community-led organizations: lived experience and residence of board and staff,
and decision power held by the community (docs/domain.md, "Community-led"). Uses `facts.is_community_led`
and `share`."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grantflow.plugin_api import (
    Param, RuleScore, ScoringRule, clamp, clauses, explain, hookimpl, is_community_led, percent, sentences, share,
)


def _best(*shares):
    reported = [s for s in shares if s is not None]
    return max(reported) if reported else None


class CommunityLedRule(ScoringRule):
    key = "community_led"
    label = _l("Community-led")
    description = _l("Priority for organizations whose board and staff have lived experience of the issue "
                   "or live in the area served, and where the community holds decision power. A share at "
                   "or above the threshold earns that part in full; a smaller share earns part of it. "
                   "Anything not reported earns no credit for that part, never less than reporting none.")
    version = "1"
    default_enabled = True
    params = (
        Param("threshold", "float", 0.5, label=_l("Full-credit share"), min=0.05, max=1,
              help=_l("Share of board or staff (0 to 1) with lived experience or living in the area that earns full credit.")),
        Param("board_points", "float", 4, label=_l("Points for the board"), min=0, max=100),
        Param("staff_points", "float", 3, label=_l("Points for the staff"), min=0, max=100),
        Param("decision_points", "float", 3, label=_l("Points for community decision power"), min=0, max=100),
    )

    evidence_labels = {"board_share": _l("board share"), "staff_share": _l("staff share"),
                       "decision_power": _l("decision power"), "community_led": _l("community-led")}

    def check(self, params):
        if params["board_points"] + params["staff_points"] + params["decision_points"] <= 0:
            return {"board_points": _("Give at least one part some points.")}
        return {}

    reads = ("board_lived_experience", "board_in_service_area", "practice_board_total", "staff_lived_experience",
             "staff_in_service_area", "staff_total", "community_decision_power")

    def score(self, facts, ctx, params) -> RuleScore:
        return self._scored(*self._read(facts, params), params)

    def score_many(self, facts, ctx, params):
        """`score` of each distinct profile, with one RuleScore per distinct (board share, staff
        share, decision power, verdict): of the demo's 50,000 applications, 28,500 profiles but
        10,000 such results."""
        made: dict = {}

        def one(f):
            read = self._read(f, params)
            rs = made.get(read)
            if rs is None:
                rs = made[read] = self._scored(*read, params)
            return rs

        return self.each_distinct(facts, one)

    @staticmethod
    def _read(facts, params) -> tuple:
        """What the score is made of: (board share, staff share, decision power, community-led)."""
        t = params["threshold"]
        board = _best(share(facts.board_lived_experience, facts.practice_board_total),
                      share(facts.board_in_service_area, facts.practice_board_total))
        staff = _best(share(facts.staff_lived_experience, facts.staff_total),
                      share(facts.staff_in_service_area, facts.staff_total))
        return board, staff, facts.community_decision_power, is_community_led(facts, threshold=t)

    @staticmethod
    def _scored(board, staff, power, led, params) -> RuleScore:
        t = params["threshold"]
        maximum = params["board_points"] + params["staff_points"] + params["decision_points"]
        points = 0.0
        if board is None:
            said = [explain("board: not reported, no credit")]
        else:
            points += params["board_points"] * min(1.0, board / t)
            said = [explain("board: %(share)s with lived experience or living in the area", share=percent(board))]
        if staff is None:
            said.append(explain("staff: not reported, no credit"))
        else:
            points += params["staff_points"] * min(1.0, staff / t)
            said.append(explain("staff: %(share)s with lived experience or living in the area", share=percent(staff)))
        if power is None:
            said.append(explain("community decision power: not reported, no credit"))
        elif power:
            points += params["decision_points"]
            said.append(explain("the community holds decision power"))
        else:
            said.append(explain("the community does not hold decision power"))
        points = clamp(points, maximum)
        verdict = _VERDICTS[led]
        return RuleScore(points, maximum, sentences(verdict, clauses(*said)),
                         {"board_share": board, "staff_share": staff, "decision_power": power, "community_led": led})


_VERDICTS = {True: explain("Meets the community-led definition."),
             False: explain("Does not meet the community-led definition."),
             None: explain("Did not report enough for the community-led definition.")}

RULE = CommunityLedRule()


@hookimpl
def grantflow_scoring_rules():
    return [RULE]
