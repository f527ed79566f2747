"""Everything a GrantFlow plugin may use, in one module (documented in docs/plugins.md).

A plugin imports only from here: `from grantflow.plugin_api import hookimpl, ScoringRule, ...`.
What is listed in `__all__` keeps its meaning across GrantFlow versions; anything else in
`grantflow` is internal and may change. The built-in plugins (`plugins/`) and the example
plugin (`tests/plugin_pkg`) follow the same rule, which a test checks.

Plugins receive plain, deeply immutable values: the facts of an application (`ApplicationFacts`),
the program's context (`ProgramContext`) and a rule's parameters are frozen dataclasses, tuples
and read-only mappings, so no rule can change what another rule sees.
"""
from __future__ import annotations

from grantflow import hookimpl
from grantflow.core.money import cents_to_dollars, format_money
from grantflow.equity.dimensions import NOT_REPORTED, Dimension
from grantflow.facts import (
    BUDGET_BANDS, REGULAR_FREQUENCIES, ApplicationFacts, FeedbackLoopFact, NeedFact, PlaceFact, ProgramContext,
    RubricFact, budget_band, has_regular_feedback_loop, is_community_led, leadership_is_poc, need_quartile,
    served_need_index, serves_priority_place, share,
)
from grantflow.plugins import DuplicateKeyError
from grantflow.scoring.explain import (
    N_, Explanation, clauses, exact_money, explain, explain_n, listing, money, number, pct, percent, sentences,
)
from grantflow.scoring.rules import (
    MERIT, PRIORITY, Param, ParamError, Question, RuleScore, ScoringRule, clamp, ratio, sentence,
)

__all__ = [
    # registering
    "hookimpl", "DuplicateKeyError",
    # scoring rules (hook grantflow_scoring_rules)
    "ScoringRule", "Param", "ParamError", "RuleScore", "MERIT", "PRIORITY", "clamp", "pct", "ratio", "sentence",
    # explanations, translated when shown (a plain str is shown as written)
    "Explanation", "explain", "N_", "explain_n", "clauses", "sentences", "money", "exact_money", "percent", "number", "listing",
    # questions (hook grantflow_application_questions)
    "Question",
    # audit dimensions (hook grantflow_audit_dimensions)
    "Dimension", "NOT_REPORTED",
    # facts, and the shared definitions derived from them
    "ApplicationFacts", "ProgramContext", "NeedFact", "PlaceFact", "FeedbackLoopFact", "RubricFact",
    "share", "leadership_is_poc", "is_community_led", "has_regular_feedback_loop", "REGULAR_FREQUENCIES",
    "served_need_index", "need_quartile", "serves_priority_place", "budget_band", "BUDGET_BANDS",
    # money (integer cents)
    "format_money", "cents_to_dollars",
]
