"""Plain, frozen facts about the applications of a program, loaded in a fixed number of queries.

The scoring rules (plugins) and the equity audit both read these, never ORM objects: the loader
selects columns as tuples (50,000 applications and their organizations' profiles load in about
0.25 s, against 2.4 s as ORM objects) and the derived groupings (POC-led, community-led, ...)
live here so both use one definition.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from operator import attrgetter
from typing import Any, Callable, Iterable, Optional

from sqlalchemy import Text, cast, select

from grantflow.core.db import db, driver_rows
from grantflow.organizations.demographics import ed_is_poc

REGULAR_FREQUENCIES = frozenset({"weekly", "monthly", "quarterly"})
EMPTY: Mapping = MappingProxyType({})


def freeze(value: Any) -> Any:
    """A deeply read-only copy of a JSON-like value: mappings become read-only mappings, lists
    and sets tuples (facts are shared by every rule, so none may change what the next one sees)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(freeze(v) for v in value)
    return value


def _frozen_mapping(obj, name: str) -> None:
    value = getattr(obj, name)
    if type(value) is not MappingProxyType:
        object.__setattr__(obj, name, freeze(value))


@dataclass(frozen=True, slots=True)
class NeedFact:
    id: int
    name: str
    rank: int
    weight: Optional[float]


@dataclass(frozen=True, slots=True)
class PlaceFact:
    id: int
    geoid: str
    name: str
    need_index: Optional[float]
    population: Optional[int]
    is_priority: bool


@dataclass(frozen=True, slots=True)
class FeedbackLoopFact:
    method: str
    frequency: str
    recent_change: str

    @property
    def regular(self) -> bool:
        return self.frequency in REGULAR_FREQUENCIES


@dataclass(frozen=True, slots=True)
class RubricFact:
    weighted: Optional[float]  # weighted mean on the rubric's scale
    fraction: Optional[float]  # 0..1 across the scale
    n_reviews: int


@dataclass(frozen=True, slots=True)
class ProgramContext:
    program_id: int
    funder_id: int
    needs: Mapping[int, NeedFact]  # read-only, by need id
    places: Mapping[int, PlaceFact]  # read-only, by place id

    def __post_init__(self):
        _frozen_mapping(self, "needs")
        _frozen_mapping(self, "places")


@dataclass(frozen=True, slots=True)
class ApplicationFacts:
    application_id: int
    program_id: int
    organization_id: int
    organization_kind: str
    status: str
    amount_requested_cents: Optional[int]
    annual_budget_cents: Optional[int]
    demographics_consented: bool
    ed_poc: Optional[bool]
    board_total: Optional[int]
    board_poc: Optional[int]
    senior_total: Optional[int]
    senior_poc: Optional[int]
    practice_board_total: Optional[int]
    board_lived_experience: Optional[int]
    board_in_service_area: Optional[int]
    staff_total: Optional[int]
    staff_lived_experience: Optional[int]
    staff_in_service_area: Optional[int]
    community_decision_power: Optional[bool]
    feedback_loops: tuple[FeedbackLoopFact, ...] = ()
    need_ids: tuple[int, ...] = ()
    place_ids: tuple[int, ...] = ()
    first_time: Optional[bool] = None
    network_member: bool = False
    rubric: Optional[RubricFact] = None
    # Answers to plugin questions, keyed by question key (read-only; the engine builds new facts
    # to add them, see `with_extra`).
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)

    def __post_init__(self):
        # Type checks first: the loader builds 50,000 of these, already frozen.
        if type(self.extra) is not MappingProxyType:
            object.__setattr__(self, "extra", freeze(self.extra))
        if not (type(self.feedback_loops) is tuple and type(self.need_ids) is tuple and type(self.place_ids) is tuple):
            for name in ("feedback_loops", "need_ids", "place_ids"):
                object.__setattr__(self, name, tuple(getattr(self, name)))

    def with_extra(self, values: Mapping[str, Any]) -> "ApplicationFacts":
        """These facts with more `extra` values (a new value: facts never change)."""
        return replace(self, extra={**self.extra, **values}) if values else self


_ABSENT = object()  # an `extra` key an application has no value for


def each_distinct(facts: Iterable[ApplicationFacts], reads: tuple[str, ...],
                  one: Callable[[ApplicationFacts], Any]) -> list:
    """`[one(f) for f in facts]`, calling `one` once per distinct combination of the facts named in
    `reads` (ApplicationFacts field names, or "extra.<key>" for one answer in `extra`); those alike
    share one result, which is read, never changed. Empty `reads`: `one` of every application.
    What the scoring rules and the audit's dimensions use: at 50,000 applications a few thousand
    distinct profiles instead of 50,000 calls."""
    if not reads:
        return [one(f) for f in facts]
    fields = tuple(r for r in reads if not r.startswith("extra."))
    keys = tuple(r[len("extra."):] for r in reads if r.startswith("extra."))
    by_fields = attrgetter(*fields) if fields else (lambda f: ())
    # Most applications answer no plugin question: their `extra` is the one shared EMPTY, read as such.
    none_answered = (_ABSENT,) * len(keys)
    profile = ((lambda f: (by_fields(f), none_answered if f.extra is EMPTY
                           else tuple([f.extra.get(k, _ABSENT) for k in keys]))) if keys else by_fields)
    seen: dict = {}
    out = []
    append = out.append
    for f in facts:
        key = profile(f)
        result = seen.get(key, _ABSENT)
        if result is _ABSENT:
            result = seen[key] = one(f)
        append(result)
    return out


# --- derived groupings, one definition for rules and audit ---------------------------------------

def share(part: Optional[int], total: Optional[int]) -> Optional[float]:
    if part is None or not total:
        return None
    return max(0.0, min(1.0, part / total))


def leadership_is_poc(f: ApplicationFacts, *, use_ed: bool = True, board_share: Optional[float] = 0.5,
                      senior_share: Optional[float] = 0.5, combine: str = "or") -> Optional[bool]:
    """The funder's definition of "led by people of color"; None when not reported.

    Funders define it differently, so the three tests (the director identifies as a person of color,
    at least `board_share` of the board does, at least `senior_share` of the senior staff does) can
    each be turned off and are combined with "or" or "and" (docs/domain.md, "Identity data").
    Each enabled test is judged only on what was reported: with "or", one met test is enough;
    with "and", every enabled test must be reported and met.
    """
    if not f.demographics_consented:
        return None
    tests: list[Optional[bool]] = []
    if use_ed:
        tests.append(f.ed_poc)
    if board_share is not None:
        s = share(f.board_poc, f.board_total)
        tests.append(None if s is None else s >= board_share)
    if senior_share is not None:
        s = share(f.senior_poc, f.senior_total)
        tests.append(None if s is None else s >= senior_share)
    reported = [t for t in tests if t is not None]
    if not reported:
        return None
    if combine == "and":
        if False in reported:
            return False
        return True if len(reported) == len(tests) else None
    return any(reported)


def is_community_led(f: ApplicationFacts, *, threshold: float = 0.5) -> Optional[bool]:
    """Community holds decision power, and at least `threshold` of the board has lived experience
    of the issue or lives in the service area. None when nothing was reported."""
    lived = share(f.board_lived_experience, f.practice_board_total)
    local = share(f.board_in_service_area, f.practice_board_total)
    shares = [s for s in (lived, local) if s is not None]
    if f.community_decision_power is None and not shares:
        return None
    return bool(f.community_decision_power) and any(s >= threshold for s in shares)


def has_regular_feedback_loop(f: ApplicationFacts) -> bool:
    return any(loop.regular for loop in f.feedback_loops)


def served_need_index(f: ApplicationFacts, ctx: ProgramContext) -> Optional[float]:
    """Population-weighted need index (0..1) of the places served; None when no place has one."""
    num = den = 0.0
    for pid in f.place_ids:
        p = ctx.places.get(pid)
        if p is None or p.need_index is None:
            continue
        w = float(p.population or 1)
        num += w * p.need_index
        den += w
    return None if den == 0 else num / den


def need_quartile(index: Optional[float]) -> Optional[int]:
    """SVI-style percentile rank 0..1 → quartile 1 (least need) .. 4 (most need)."""
    if index is None:
        return None
    return min(4, int(index * 4) + 1)


def serves_priority_place(f: ApplicationFacts, ctx: ProgramContext) -> bool:
    return any(ctx.places.get(pid) is not None and ctx.places[pid].is_priority for pid in f.place_ids)


BUDGET_BANDS = ((250_000_00, "under $250k"), (1_000_000_00, "$250k–$1M"), (5_000_000_00, "$1M–$5M"))


def budget_band(cents: Optional[int]) -> str:
    if cents is None:
        return "not reported"
    for limit, label in BUDGET_BANDS:
        if cents < limit:
            return label
    return "$5M and over"


# --- loading ---------------------------------------------------------------------------------------

def load_context(program_id: int) -> ProgramContext:
    from grantflow.chna.models import PriorityNeed
    from grantflow.chna.vintage import program_places
    from grantflow.programs.models import Program

    funder_id = db.session.execute(select(Program.funder_id).where(Program.id == program_id)).scalar_one()
    needs = {
        r.id: NeedFact(r.id, r.name, r.rank, None if r.weight is None else float(r.weight))
        for r in db.session.execute(select(PriorityNeed.id, PriorityNeed.name, PriorityNeed.rank,
                                           PriorityNeed.weight).where(PriorityNeed.funder_id == funder_id))
    }
    # A closed program keeps the places of its time (grantflow/chna/vintage.py).
    places = {row[0]: PlaceFact(*row) for row in program_places(program_id, funder_id)}
    return ProgramContext(program_id, funder_id, needs, places)


def load_facts(program_id: int, *, statuses: Iterable[str] | None = None,
               rubric: dict[int, RubricFact] | None = None,
               application_ids: Iterable[int] | None = None) -> tuple[ProgramContext, list[ApplicationFacts]]:
    """Facts of every application of a program (all but drafts unless `statuses` says otherwise;
    only `application_ids` when given), in eight queries whatever the number of applications."""
    from grantflow.applications.models import Application, application_needs, application_places
    from grantflow.decisions.models import AWARD, Decision
    from grantflow.organizations.models import (
        ACCEPTED, CommunityPractice, FeedbackLoop, LeadershipProfile, NetworkMembership, Organization,
    )
    from grantflow.programs.models import Program

    ctx = load_context(program_id)
    applicant = db.func.coalesce(Application.on_behalf_of_id, Application.organization_id)
    chosen = Application.status.in_(list(statuses)) if statuses is not None else Application.status != "draft"
    if application_ids is not None:
        chosen = chosen & Application.id.in_(list(application_ids))
    # The applicant organizations, as a subquery: what is read about organizations is filtered in SQL.
    applicants = select(applicant).where(Application.program_id == program_id, chosen).scalar_subquery()
    # Plain driver tuples (about half the time of SQLAlchemy's rows at 50,000 applications); the
    # three boolean columns are made bool below (SQLite's driver gives 0 and 1).
    execute = driver_rows
    rows = execute(select(Application.id, Application.status, Application.amount_requested_cents,
                          Application.first_time_applicant, applicant)
                   .where(Application.program_id == program_id, chosen).order_by(Application.id))
    # Each applicant organization once, in its own query: joined to the applications instead, the
    # database looks organizations up in application order, twice as slow at 50,000.
    organizations = {row[0]: row[1:] for row in execute(
        select(Organization.id, Organization.kind, Organization.annual_budget_cents,
               LeadershipProfile.consent_given_at.is_not(None), cast(LeadershipProfile.ed_race, Text),
               LeadershipProfile.board_total, LeadershipProfile.board_poc, LeadershipProfile.senior_total,
               LeadershipProfile.senior_poc, CommunityPractice.board_total, CommunityPractice.board_lived_experience,
               CommunityPractice.board_in_service_area, CommunityPractice.staff_total,
               CommunityPractice.staff_lived_experience, CommunityPractice.staff_in_service_area,
               CommunityPractice.community_decision_power)
        .outerjoin(LeadershipProfile, LeadershipProfile.organization_id == Organization.id)
        .outerjoin(CommunityPractice, CommunityPractice.organization_id == Organization.id)
        .where(Organization.id.in_(applicants)))}

    def grouped(stmt) -> dict[int, list]:
        out: dict[int, list] = defaultdict(list)
        for key, value in execute(stmt):
            out[key].append(value)
        return out

    needs = grouped(select(application_needs.c.application_id, application_needs.c.need_id)
                    .join(Application, Application.id == application_needs.c.application_id)
                    .where(Application.program_id == program_id, chosen))
    places = grouped(select(application_places.c.application_id, application_places.c.place_id)
                     .join(Application, Application.id == application_places.c.application_id)
                     .where(Application.program_id == program_id, chosen))
    loop_lists: dict[int, list] = defaultdict(list)
    for org_id, method, freq, change in execute(
            select(FeedbackLoop.organization_id, FeedbackLoop.method, FeedbackLoop.frequency, FeedbackLoop.recent_change)
            .where(FeedbackLoop.organization_id.in_(applicants))
            .order_by(FeedbackLoop.organization_id, FeedbackLoop.id)):
        loop_lists[org_id].append(FeedbackLoopFact(method, freq, change or ""))
    # One tuple per organization, shared by its applications.
    loops = {org_id: tuple(found) for org_id, found in loop_lists.items()}
    in_network = {m for (m,) in execute(select(NetworkMembership.member_id).distinct()
                                        .where(NetworkMembership.member_id.in_(applicants),
                                               NetworkMembership.status == ACCEPTED))}
    # First-time: never awarded by this funder in any other program.
    funded_before = {o for (o,) in db.session.execute(
        select(db.func.coalesce(Application.on_behalf_of_id, Application.organization_id))
        .join(Decision, Decision.application_id == Application.id)
        .join(Program, Program.id == Application.program_id)
        .where(Decision.outcome == AWARD, Program.funder_id == ctx.funder_id, Program.id != program_id))}
    rubric = rubric or {}
    facts = []
    append = facts.append
    no_loops: tuple = ()
    # The director's categories as stored (JSON text): a few dozen distinct answers, each read once.
    ed_poc_of: dict = {}
    # Unpacked by position (the selects' column order): named access on 50,000 rows costs ~1 s.
    for app_id, status, requested, first_time, org_id in rows:
        organization = organizations.get(org_id)
        if organization is None:
            continue  # as an inner join would: facts are of an existing organization
        (kind, budget, consented, ed_race, board_total, board_poc, senior_total, senior_poc, p_board_total,
         board_lived, board_area, staff_total, staff_lived, staff_area, decision_power) = organization
        if decision_power is not None:
            decision_power = bool(decision_power)
        if consented:
            ed_poc = ed_poc_of.get(ed_race, ed_poc_of)
            if ed_poc is ed_poc_of:
                ed_poc = ed_poc_of[ed_race] = ed_is_poc(json.loads(ed_race) if ed_race is not None else None)
        else:
            ed_poc = None
        append(ApplicationFacts(
            application_id=app_id, program_id=program_id, organization_id=org_id, organization_kind=kind,
            status=status, amount_requested_cents=requested, annual_budget_cents=budget,
            demographics_consented=bool(consented), ed_poc=ed_poc,
            board_total=board_total, board_poc=board_poc, senior_total=senior_total, senior_poc=senior_poc,
            practice_board_total=p_board_total, board_lived_experience=board_lived,
            board_in_service_area=board_area, staff_total=staff_total, staff_lived_experience=staff_lived,
            staff_in_service_area=staff_area, community_decision_power=decision_power,
            feedback_loops=loops.get(org_id, no_loops),
            need_ids=tuple(sorted(needs[app_id])) if app_id in needs else (),
            place_ids=tuple(sorted(places[app_id])) if app_id in places else (),
            first_time=bool(first_time) if first_time is not None else org_id not in funded_before,
            network_member=org_id in in_network,
            rubric=rubric.get(app_id),
        ))
    return ctx, facts
