"""Plain facts for rule tests (no database): `facts(**overrides)` and a small `CTX`."""
from __future__ import annotations

from grantflow.facts import ApplicationFacts, FeedbackLoopFact, NeedFact, PlaceFact, ProgramContext, RubricFact

NEEDS = {1: NeedFact(1, "Housing", 1, None), 2: NeedFact(2, "Food access", 2, None), 3: NeedFact(3, "Access to care", 3, None)}
PLACES = {10: PlaceFact(10, "36061000100", "Tract 1", 0.9, 6000, True),
          11: PlaceFact(11, "36061000200", "Tract 2", 0.2, 2000, False),
          12: PlaceFact(12, "36061000300", "Tract 3", None, 1000, False)}
CTX = ProgramContext(1, 1, NEEDS, PLACES)

BASE = dict(
    application_id=1, program_id=1, organization_id=1, organization_kind="cbo", status="submitted",
    amount_requested_cents=50_000_00, annual_budget_cents=300_000_00, demographics_consented=True,
    ed_poc=False, board_total=10, board_poc=2, senior_total=4, senior_poc=1, practice_board_total=10,
    board_lived_experience=2, board_in_service_area=1, staff_total=10, staff_lived_experience=1,
    staff_in_service_area=1, community_decision_power=False,
)

NOT_REPORTED = dict(demographics_consented=False, ed_poc=None, board_total=None, board_poc=None, senior_total=None,
                    senior_poc=None)


def facts(**overrides) -> ApplicationFacts:
    return ApplicationFacts(**{**BASE, **overrides})


def loop(frequency="monthly", change="Opened on Saturdays", method="survey") -> FeedbackLoopFact:
    return FeedbackLoopFact(method, frequency, change)


def rubric(fraction, n=2, lo=1, hi=5) -> RubricFact:
    return RubricFact(None if fraction is None else lo + fraction * (hi - lo), fraction, n)
