"""The built-in dimensions group applications with the shared definitions in grantflow.facts, and
POC-led follows the program's own `poc_led` rule parameters."""
from __future__ import annotations

from decimal import Decimal

from grantflow.core.db import db
from grantflow.equity.dimensions import NOT_REPORTED, builtin_dimensions, program_dimensions
from grantflow.facts import ApplicationFacts, PlaceFact, ProgramContext
from grantflow.programs.models import ProgramRule
from tests import factories as F

CTX = ProgramContext(1, 1, {}, {1: PlaceFact(1, "36061000100", "Tract 1", 0.9, 1000, True),
                                2: PlaceFact(2, "36061000200", "Tract 2", 0.1, 1000, False)})


def facts(**kw) -> ApplicationFacts:
    base = dict(application_id=1, program_id=1, organization_id=1, organization_kind="cbo", status="submitted",
                amount_requested_cents=1, annual_budget_cents=None, demographics_consented=True, ed_poc=True,
                board_total=10, board_poc=2, senior_total=None, senior_poc=None, practice_board_total=None,
                board_lived_experience=None, board_in_service_area=None, staff_total=None,
                staff_lived_experience=None, staff_in_service_area=None, community_decision_power=None)
    base.update(kw)
    return ApplicationFacts(**base)


def groups(f, dims=None):
    return {d.key: d.group(f, CTX) for d in (dims or builtin_dimensions())}


def test_builtin_groups():
    g = groups(facts(place_ids=(1,), annual_budget_cents=100_000_00, first_time=True))
    assert g == {"poc_led": "yes", "community_led": NOT_REPORTED, "feedback_loops": "no", "priority_place": "yes",
                 "svi_quartile": "Q4", "budget_band": "under $250k", "first_time": "yes", "network_member": "no"}
    g = groups(facts(demographics_consented=False, place_ids=(), first_time=None))
    assert g["poc_led"] == NOT_REPORTED and g["priority_place"] == NOT_REPORTED and g["first_time"] == NOT_REPORTED
    assert groups(facts(place_ids=(2,)))["svi_quartile"] == "Q1"
    # An imported past cycle's own classification wins over the profile.
    assert groups(facts(extra={"imported_poc_led": False}))["poc_led"] == "no"


def test_poc_led_follows_the_programs_rule(app):
    prog = F.program(F.funder())
    f = facts()  # the ED is a person of color, 2 of 10 board members
    assert {d.key: d for d in program_dimensions(prog.id)}["poc_led"].group(f, CTX) == "yes"
    db.session.add(ProgramRule(program_id=prog.id, rule_key="poc_led", weight=Decimal(1),
                               params={"use_ed": False, "board_share": 0.5, "senior_share": None, "points": 10}))
    db.session.flush()
    assert {d.key: d for d in program_dimensions(prog.id)}["poc_led"].group(f, CTX) == "no"
