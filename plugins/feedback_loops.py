"""Credit for documented, regular feedback loops with the people served, and for changes made
because of that feedback (uses `facts.has_regular_feedback_loop`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grantflow.plugin_api import Param, RuleScore, ScoringRule, clamp, has_regular_feedback_loop, hookimpl


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

    def check(self, params):
        if params["loop_points"] + params["change_points"] <= 0:
            return {"loop_points": "Give feedback loops or changes some points."}
        return {}

    def score(self, facts, ctx, params) -> RuleScore:
        maximum = params["loop_points"] + params["change_points"]
        loops = facts.feedback_loops
        if not loops:
            return RuleScore(0.0, maximum, "No feedback loop with the people served was documented.",
                             {"loops": 0, "regular": False, "changes": 0})
        regular = has_regular_feedback_loop(facts)
        changes = sum(1 for loop in loops if loop.recent_change.strip())
        points = params["loop_points"] * (1.0 if regular else params["occasional_share"])
        if changes:
            points += params["change_points"]
        methods = ", ".join(sorted({f"{loop.method} ({loop.frequency})" for loop in loops}))
        text = (f"Documented {'regular' if regular else 'only occasional'} feedback: {methods}. "
                + (f"{changes} change{'s' if changes != 1 else ''} made because of feedback."
                   if changes else "No change made because of feedback was described."))
        return RuleScore(clamp(points, maximum), maximum, text,
                         {"loops": len(loops), "regular": regular, "changes": changes})


RULE = FeedbackLoopsRule()


@hookimpl
def grantflow_scoring_rules():
    return [RULE]
