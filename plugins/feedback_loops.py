"""Credit for documented, regular feedback loops with the people served, and for changes made
because of that feedback (uses `facts.has_regular_feedback_loop`)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grantflow.plugin_api import (
    N_, Param, RuleScore, ScoringRule, clamp, explain, explain_n, has_regular_feedback_loop, hookimpl, listing, sentences,
)


class FeedbackLoopsRule(ScoringRule):
    key = "feedback_loops"
    label = _l("Feedback loops")
    description = _l("Credit for documented feedback from the people served — full credit when it is "
                   "regular (weekly, monthly or quarterly), part when only occasional — and for changes "
                   "the organization made because of that feedback.")
    version = "1"
    default_enabled = True
    params = (
        Param("loop_points", "float", 6, label=_l("Points for a regular feedback loop"), min=0, max=100),
        Param("occasional_share", "float", 0.25, label=_l("Share of those points for occasional feedback"),
              min=0, max=1, help=_l("Yearly or ad hoc feedback earns this share (0 to 1) of the loop points.")),
        Param("change_points", "float", 4, label=_l("Points for a change made because of feedback"), min=0, max=100),
    )

    evidence_labels = {"loops": _l("feedback loops"), "regular": _l("regular"), "changes": _l("changes")}

    def check(self, params):
        if params["loop_points"] + params["change_points"] <= 0:
            return {"loop_points": _("Give feedback loops or changes some points.")}
        return {}

    reads = ("feedback_loops",)

    def score(self, facts, ctx, params) -> RuleScore:
        maximum = params["loop_points"] + params["change_points"]
        loops = facts.feedback_loops
        if not loops:
            return RuleScore(0.0, maximum, NONE_DOCUMENTED,
                             {"loops": 0, "regular": False, "changes": 0})
        regular = has_regular_feedback_loop(facts)
        changes = sum(1 for loop in loops if loop.recent_change.strip())
        points = params["loop_points"] * (1.0 if regular else params["occasional_share"])
        if changes:
            points += params["change_points"]
        pairs = sorted({(loop.method, loop.frequency) for loop in loops}, key=lambda mf: f"{mf[0]} ({mf[1]})")
        methods = listing(_method(m, f) for m, f in pairs)
        documented = (explain("Documented regular feedback: %(methods)s.", methods=methods) if regular
                      else explain("Documented only occasional feedback: %(methods)s.", methods=methods))
        made = (explain_n("%(num)d change made because of feedback.", "%(num)d changes made because of feedback.",
                          changes) if changes else NO_CHANGE)
        return RuleScore(clamp(points, maximum), maximum, sentences(documented, made),
                         {"loops": len(loops), "regular": regular, "changes": changes})


NONE_DOCUMENTED = explain("No feedback loop with the people served was documented.")
NO_CHANGE = explain("No change made because of feedback was described.")


# A loop as "its method (how often)": the organization's words, with the frequency translated.
WITH_FREQUENCY = {"weekly": N_("%(method)s (weekly)"), "monthly": N_("%(method)s (monthly)"),
                  "quarterly": N_("%(method)s (quarterly)"), "yearly": N_("%(method)s (yearly)"),
                  "ad hoc": N_("%(method)s (ad hoc)")}


def _method(method: str, frequency: str):
    msgid = WITH_FREQUENCY.get(frequency)
    return f"{method} ({frequency})" if msgid is None else explain(msgid, method=method)


RULE = FeedbackLoopsRule()


@hookimpl
def grantflow_scoring_rules():
    return [RULE]
