"""Merit: the reviewers' weighted rubric score (grantflow.reviews.aggregate), raw or normalized."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grantflow.plugin_api import MERIT, Param, RuleScore, ScoringRule, clamp, explain, explain_n, hookimpl, number

MAX = 100.0
NOT_REVIEWED = explain("Not yet reviewed: no submitted review counts yet, so the merit part is left out of "
                       "the total until reviews are in. This is not a score of zero.")


class RubricRule(ScoringRule):
    key = "rubric"
    label = _l("Reviewers' rubric score")
    description = _l("The reviewers' scores on the program's rubric, as a weighted mean of the criteria "
                   "(0–100). Applications with fewer submitted reviews than the minimum are marked "
                   "“not yet reviewed” and this part is left out of their total, never counted as zero.")
    version = "1"
    kind = MERIT
    default_enabled = True
    default_weight = 1.0
    params = (
        Param("scores", "choice", "program", label=_l("Which reviewer scores"),
              help=_l("Normalized scores correct for harsh and lenient reviewers."),
              choices=(("program", _l("As set in the program's review settings")), ("raw", _l("Raw scores")),
                       ("normalized", _l("Normalized per reviewer")))),
        Param("min_reviews", "int", 1, label=_l("Minimum submitted reviews"), min=1, max=20,
              help=_l("Below this number the application counts as not yet reviewed.")),
    )

    evidence_labels = {"weighted": _l("weighted score"), "reviews": _l("reviews")}

    def rubric_mode(self, params: dict) -> str:
        return params.get("scores", "program")

    reads = ("rubric",)

    def score(self, facts, ctx, params) -> RuleScore:
        r = facts.rubric
        n = r.n_reviews if r is not None else 0
        if r is None or r.fraction is None or n < params["min_reviews"]:
            return RuleScore(None, MAX, NOT_REVIEWED, {"reviews": n})
        points = clamp(r.fraction * MAX, MAX)
        args = {"score": number(r.weighted, 2), "points": number(points, 0)}
        if params.get("scores") == "normalized":
            text = explain_n("The normalized weighted rubric score is %(score)s on the rubric's scale "
                             "(%(points)s of 100), from %(num)d review.",
                             "The normalized weighted rubric score is %(score)s on the rubric's scale "
                             "(%(points)s of 100), from %(num)d reviews.", n, **args)
        else:
            text = explain_n("The reviewers' weighted rubric score is %(score)s on the rubric's scale "
                             "(%(points)s of 100), from %(num)d review.",
                             "The reviewers' weighted rubric score is %(score)s on the rubric's scale "
                             "(%(points)s of 100), from %(num)d reviews.", n, **args)
        return RuleScore(points, MAX, text, {"weighted": round(r.weighted, 4), "reviews": n})


RULE = RubricRule()


@hookimpl
def grantflow_scoring_rules():
    return [RULE]
