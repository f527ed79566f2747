"""The rules and questions that the loaded plugins provide, sorted by key (never by load order)."""
from __future__ import annotations

from grantflow.plugins import load_plugins
from grantflow.scoring.rules import Question, ScoringRule


class DuplicateRuleError(RuntimeError):
    """Two plugins registered rules with the same key; a rule key must name one rule."""


def available_rules() -> dict[str, ScoringRule]:
    """`{key: rule}` from every plugin's `grantflow_scoring_rules`, in key order."""
    rules: dict[str, ScoringRule] = {}
    for batch in load_plugins().hook.grantflow_scoring_rules():
        for rule in batch or ():
            if not isinstance(rule, ScoringRule):
                raise TypeError(f"grantflow_scoring_rules returned {rule!r}, not a ScoringRule")
            if rule.key in rules and rules[rule.key] is not rule:
                raise DuplicateRuleError(f"two plugins register the scoring rule {rule.key!r}")
            rules[rule.key] = rule
    return dict(sorted(rules.items()))


def available_questions() -> dict[str, Question]:
    """`{key: Question}` from every plugin's `grantflow_application_questions`, in key order."""
    questions: dict[str, Question] = {}
    for batch in load_plugins().hook.grantflow_application_questions():
        for q in batch or ():
            questions.setdefault(q.key, q)
    return dict(sorted(questions.items()))
