"""The built-in dimensions group applications with the shared definitions in grantflow.facts, and
POC-led follows the program's own `poc_led` rule parameters."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grantflow.core.db import db
from grantflow.equity.dimensions import NOT_REPORTED, Dimension, builtin_dimensions, program_dimensions
from grantflow.facts import ApplicationFacts, PlaceFact, ProgramContext
from grantflow.programs.models import ProgramRule
from tests import factories as F
from tests.scoring.test_properties import application_facts, contexts

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


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_dimension_reads_only_what_it_declares(data):
    """`reads` is all a built-in dimension's group depends on: any other fact changed (an imported
    classification in `extra` included), the group is the same, and grouping many applications at
    once (once per distinct profile) gives each its own group."""
    ctx = data.draw(contexts())
    f, other = data.draw(application_facts(ctx)), data.draw(application_facts(ctx))
    imported = st.fixed_dictionaries({}, optional={k: st.one_of(st.none(), st.booleans()) for k in
                                                   ("imported_poc_led", "imported_community_led", "imported_first_time")})
    f = f.with_extra(data.draw(imported))
    other = dataclasses.replace(other, application_id=2, program_id=2, organization_id=2, organization_kind="network",
                                status="under_review", network_member=not f.network_member,
                                extra={"q": "a", **data.draw(imported)})
    dims = builtin_dimensions(data.draw(st.sampled_from([None, {"use_ed": False}, {"combine": "and"}])))
    assert all(d.reads for d in dims)  # every built-in dimension declares what it reads
    for d in dims:
        fields = {r: getattr(f, r) for r in d.reads if not r.startswith("extra.")}
        extra = {k: v for k, v in other.extra.items() if f"extra.{k}" not in d.reads}
        extra.update({r[6:]: f.extra[r[6:]] for r in d.reads if r.startswith("extra.") and r[6:] in f.extra})
        alike = dataclasses.replace(other, **fields, extra=extra)
        assert (d.group(alike, ctx) or NOT_REPORTED) == (d.group(f, ctx) or NOT_REPORTED), d.key
        assert d.groups([f, other, alike], ctx) == [d.group(g, ctx) or NOT_REPORTED for g in (f, other, alike)], d.key


def test_a_dimension_without_reads_groups_every_application():
    """A plugin dimension that declares nothing is called once per application."""
    calls = []
    dim = Dimension("plugin", "Plugin", lambda f, c: calls.append(f.application_id) or None)
    assert dim.groups([facts(application_id=i) for i in (1, 2, 3)], CTX) == [NOT_REPORTED] * 3 and calls == [1, 2, 3]
