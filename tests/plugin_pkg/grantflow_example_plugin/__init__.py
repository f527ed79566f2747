"""A third-party plugin, installed through its entry point, that the test suite discovers.

It adds a scoring rule that reads an extra application question ("Is your organization youth-led?")
and the question itself (`grantflow_application_questions`).
"""
from __future__ import annotations

from grantflow.plugin_api import Param, Question, RuleScore, ScoringRule, hookimpl

__version__ = "1.0.0"

QUESTION_KEY = "youth_led"


def _answer(facts):
    value = facts.extra.get(QUESTION_KEY)
    if isinstance(value, str):
        value = value.strip().lower()
        return {"yes": True, "no": False}.get(value)
    return None if value is None else bool(value)


class YouthLedRule(ScoringRule):
    key = "youth_led"
    label = "Youth-led"
    description = "Priority for organizations led by young people (answered on the application)."
    version = "1.0"
    questions = (QUESTION_KEY,)
    params = (Param("points", "float", 5, label="Points for a youth-led organization", min=0.5, max=100),)

    def score(self, facts, ctx, params):
        answer = _answer(facts)
        if answer is None:
            return RuleScore(0.0, params["points"], "Did not say whether it is youth-led, so no priority.",
                             {"youth_led": None})
        if answer:
            return RuleScore(params["points"], params["points"], "Youth-led, as stated on the application.",
                             {"youth_led": True})
        return RuleScore(0.0, params["points"], "Not youth-led, as stated on the application.", {"youth_led": False})


@hookimpl
def grantflow_scoring_rules():
    return [YouthLedRule()]


@hookimpl
def grantflow_application_questions():
    return [Question(QUESTION_KEY, "Is your organization youth-led (most leaders under 25)?",
                     kind="single_choice", options=("yes", "no"),
                     help_text="Used by this program's youth-led priority.")]

