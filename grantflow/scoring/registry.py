"""The rules and questions that the loaded plugins provide, sorted by key (never by load order).

A key names one rule (one question): two plugins using the same key is a
`grantflow.plugins.DuplicateKeyError` naming both.
"""
from __future__ import annotations

from grantflow.plugins import collect
from grantflow.scoring.rules import Question, ScoringRule


def available_rules() -> dict[str, ScoringRule]:
    """`{key: rule}` from every plugin's `grantflow_scoring_rules`, in key order."""
    rules = collect("grantflow_scoring_rules", "scoring rule")
    for rule in rules.values():
        if not isinstance(rule, ScoringRule):
            raise TypeError(f"grantflow_scoring_rules returned {rule!r}, not a ScoringRule")
    return rules


def available_questions() -> dict[str, Question]:
    """`{key: Question}` from every plugin's `grantflow_application_questions`, in key order."""
    return collect("grantflow_application_questions", "application question")
