"""The what-if sandbox: score a program with changed weights and parameters, in memory only.

Nothing is written. The result is the new ranking (each application's standing and total by
grantflow/scoring/standing.py, as the ranking board shows them under the saved rules), which
applications the budget would fund (greedy: down the ranking, each complete application whose
requested amount still fits the remaining budget), and the shares of applicants, funded
applications and dollars for organizations led by people of color, community-led organizations
and those serving a priority place — beside the same figures under the saved configuration.
"""
from __future__ import annotations

from dataclasses import dataclass
from flask_babel import gettext as _
from typing import Optional

from sqlalchemy import select

from grantflow.applications import models as A
from grantflow.core.db import db
from grantflow.facts import ApplicationFacts, ProgramContext, is_community_led, leadership_is_poc, serves_priority_place
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program
from grantflow.scoring.engine import RuleConfig
from grantflow.scoring.standing import Standing, standings

POC_KEYS = ("use_ed", "board_share", "senior_share", "combine")


@dataclass(frozen=True)
class Row:
    rank: int
    application_id: int
    title: str
    organization: str
    requested_cents: Optional[int]
    standing: Standing
    funded: bool
    baseline_rank: Optional[int]

    @property
    def moved(self) -> int:
        return 0 if self.baseline_rank is None else self.baseline_rank - self.rank


@dataclass(frozen=True)
class GroupShare:
    label: str
    applicants: float  # share of applicants in the group
    funded: Optional[float]  # share of funded applications
    dollars: Optional[float]  # share of funded dollars
    baseline_funded: Optional[float]
    baseline_dollars: Optional[float]


@dataclass(frozen=True)
class Simulation:
    rows: tuple[Row, ...]
    budget_cents: int
    funded_cents: int
    baseline_funded_cents: int
    groups: tuple[GroupShare, ...]

    @property
    def n_funded(self) -> int:
        return sum(1 for r in self.rows if r.funded)


def fund(order: tuple[Standing, ...], facts: dict[int, ApplicationFacts], budget: int) -> set[int]:
    remaining, funded = budget, set()
    for s in order:
        amount = facts[s.application_id].amount_requested_cents
        if not s.ranked or not amount or amount > remaining:
            continue
        funded.add(s.application_id)
        remaining -= amount
    return funded


def _share(members: set[int], of: set[int]) -> Optional[float]:
    return None if not of else len(members & of) / len(of)


def _dollar_share(members: set[int], funded: set[int], facts) -> Optional[float]:
    total = sum(facts[a].amount_requested_cents or 0 for a in funded)
    return None if not total else sum(facts[a].amount_requested_cents or 0 for a in funded & members) / total


def groups(configs: list[RuleConfig], ctx: ProgramContext, facts: list[ApplicationFacts]) -> list[tuple[str, set[int]]]:
    """The groups, with the program's own definitions where its rules set them."""
    params = {c.key: c.params for c in configs}
    poc = {k: v for k, v in params.get("poc_led", {}).items() if k in POC_KEYS}
    threshold = params.get("community_led", {}).get("threshold", 0.5)
    return [
        (_("Led by people of color"), {f.application_id for f in facts if leadership_is_poc(f, **poc)}),
        (_("Community-led"), {f.application_id for f in facts if is_community_led(f, threshold=threshold)}),
        (_("Serves a priority place"), {f.application_id for f in facts if serves_priority_place(f, ctx)}),
    ]


def simulate(program: Program, configs: list[RuleConfig], baseline: list[RuleConfig]) -> Simulation:
    """`configs`: the sandbox's rules; `baseline`: the saved ones (engine.program_config)."""
    new, old = standings(program, configs), standings(program, baseline)
    by_id = new.facts
    funded, old_funded = fund(new.rows, by_id, program.budget_cents), fund(old.rows, by_id, program.budget_cents)
    old_rank = {s.application_id: i for i, s in enumerate(old.rows, 1)}
    names = {aid: (title, org) for aid, title, org in db.session.execute(
        select(A.Application.id, A.Application.title, Organization.name)
        .join(Organization, Organization.id == db.func.coalesce(A.Application.on_behalf_of_id,
                                                                A.Application.organization_id))
        .where(A.Application.program_id == program.id))}
    rows = tuple(
        Row(i, s.application_id, names.get(s.application_id, ("", ""))[0], names.get(s.application_id, ("", ""))[1],
            by_id[s.application_id].amount_requested_cents, s, s.application_id in funded,
            old_rank.get(s.application_id))
        for i, s in enumerate(new.rows, 1))
    in_running = [by_id[s.application_id] for s in new.rows if s.fundable]
    pool = {f.application_id for f in in_running}
    shares = tuple(
        GroupShare(label, _share(members, pool) or 0.0, _share(members, funded), _dollar_share(members, funded, by_id),
                   _share(members, old_funded), _dollar_share(members, old_funded, by_id))
        for label, members in groups(list(new.configs) or list(old.configs), new.ctx, in_running))
    spent = sum(by_id[a].amount_requested_cents for a in funded)
    old_spent = sum(by_id[a].amount_requested_cents for a in old_funded)
    return Simulation(rows, program.budget_cents, spent, old_spent, shares)
