"""The groupings the equity audit reports on (docs/domain.md, "Equity audit").

A dimension puts each application's plain facts into one group (a short string); `None` means
"not reported", so every application lands in exactly one group of every dimension and the groups
of a dimension always add up to the program's applicants (which suppression relies on).
Plugins add dimensions through the `grantflow_audit_dimensions` hook. A dimension built on identity
data (leadership demographics and what is derived from them) says so with `identity=True`: only
those are suppressed (grantflow/equity/suppression.py).
"""
from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable, Optional

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from grantflow.facts import (
    BUDGET_BANDS, ApplicationFacts, ProgramContext, budget_band, each_distinct, has_regular_feedback_loop,
    is_community_led, leadership_is_poc, need_quartile, served_need_index, serves_priority_place,
)

NOT_REPORTED = "not reported"
YES, NO = "yes", "no"
# The words a person reads for the group codes any dimension may use (a dimension's own
# `group_labels` come first); a code without a label is shown as it is (a plugin's own words).
GROUP_LABELS = {YES: _l("yes"), NO: _l("no"), NOT_REPORTED: _l("not reported"),
                "Q4": _l("Q4 (most need)"), "Q3": _l("Q3"), "Q2": _l("Q2"), "Q1": _l("Q1 (least need)"),
                "under $250k": _l("under $250k"), "$250k–$1M": _l("$250k–$1M"), "$1M–$5M": _l("$1M–$5M"),
                "$5M and over": _l("$5M and over")}


@dataclass(frozen=True)
class Dimension:
    """`label`, `focus_phrase` and `group_labels` may be lazy translations (`lazy_gettext`): they
    are worded in the reader's language when the report is built."""
    key: str
    label: str
    group: Callable[[ApplicationFacts, ProgramContext], Optional[str]]
    order: tuple[str, ...] = ()
    # The group the plain-language findings and reviewer diagnostics speak about
    # (default: the first group of `order`).
    focus: Optional[str] = None
    # How findings name the focus group: "Organizations led by people of color".
    focus_phrase: Optional[str] = None
    group_labels: tuple[tuple[str, str], ...] = ()
    # Built on identity data (leadership demographics: POC-led, SPD 15 categories, community-led):
    # its small groups are withheld. Other dimensions (budget, place, need…) are shown in full.
    identity: bool = False
    # The facts `group` reads (ApplicationFacts field names; "extra.<key>" for one key of `extra`):
    # when given, `group` is called once per distinct combination of them, as a scoring rule's
    # `reads` (at 50,000 applications, a few thousand calls instead of 50,000). Empty: every one.
    reads: tuple[str, ...] = ()

    def groups(self, facts: Sequence[ApplicationFacts], ctx: ProgramContext) -> list[str]:
        """Each application's group, in the order of `facts` (None is "not reported")."""
        group = self.group
        return each_distinct(facts, self.reads, lambda f: group(f, ctx) or NOT_REPORTED)

    @property
    def focus_group(self) -> Optional[str]:
        return self.focus or (self.order[0] if self.order else None)

    def label_of(self, group: str) -> str:
        return str(dict(self.group_labels).get(group) or GROUP_LABELS.get(group, group))

    @property
    def title(self) -> str:
        return str(self.label)

    @property
    def phrase(self) -> str:
        """How findings name the focus group, in the reader's language."""
        if self.focus_phrase:
            return str(self.focus_phrase)
        return gettext("%(dimension)s: %(group)s", dimension=self.title, group=self.label_of(self.focus_group))


def _yes_no(value: Optional[bool]) -> str:
    return NOT_REPORTED if value is None else (YES if value else NO)


_POC_PARAMS = set(inspect.signature(leadership_is_poc).parameters) - {"f"}


def poc_params(rule_params: dict | None) -> dict:
    """The program's `poc_led` scoring-rule parameters that `facts.leadership_is_poc` accepts
    (use_ed, board_share, senior_share, combine); anything else is ignored."""
    return {k: v for k, v in (rule_params or {}).items() if k in _POC_PARAMS}


def builtin_dimensions(poc_rule_params: dict | None = None) -> list[Dimension]:
    params = poc_params(poc_rule_params)

    # An imported past cycle's own classification (in `extra`) wins over the (current) profile.
    def _poc(f: ApplicationFacts, ctx: ProgramContext) -> str:
        extra = f.extra
        return _yes_no(extra["imported_poc_led"] if "imported_poc_led" in extra else leadership_is_poc(f, **params))

    def _community(f: ApplicationFacts, ctx: ProgramContext) -> str:
        extra = f.extra
        return _yes_no(extra["imported_community_led"] if "imported_community_led" in extra
                       else is_community_led(f))

    # An imported application without a first-time answer is "not reported": nothing in GrantFlow
    # knows the funder's history before the imported cycles, so "never awarded here" proves nothing.
    def _first_time(f: ApplicationFacts, ctx: ProgramContext) -> str:
        extra = f.extra
        return _yes_no(extra["imported_first_time"] if "imported_first_time" in extra else f.first_time)

    leadership = ("demographics_consented", "ed_poc", "board_poc", "board_total", "senior_poc", "senior_total")
    practice = ("community_decision_power", "board_lived_experience", "board_in_service_area",
                "practice_board_total")
    quartiles = ("Q4", "Q3", "Q2", "Q1")
    bands = tuple(label for _, label in BUDGET_BANDS) + ("$5M and over",)
    return [
        Dimension("poc_led", _l("Led by people of color"), _poc, (YES, NO, NOT_REPORTED),
                  focus_phrase=_l("Organizations led by people of color"), identity=True,
                  reads=(*leadership, "extra.imported_poc_led")),
        Dimension("community_led", _l("Community-led"), _community, (YES, NO, NOT_REPORTED),
                  focus_phrase=_l("Community-led organizations"), identity=True,
                  reads=(*practice, "extra.imported_community_led")),
        Dimension("feedback_loops", _l("Regular feedback loops"), lambda f, c: _yes_no(has_regular_feedback_loop(f)),
                  (YES, NO), focus_phrase=_l("Organizations with regular feedback loops"), reads=("feedback_loops",)),
        Dimension("priority_place", _l("Serves a priority place"),
                  lambda f, c: _yes_no(serves_priority_place(f, c)) if f.place_ids else NOT_REPORTED,
                  (YES, NO, NOT_REPORTED), focus_phrase=_l("Organizations serving a priority place"),
                  reads=("place_ids",)),
        Dimension("svi_quartile", _l("Need (SVI) quartile of places served"),
                  lambda f, c: (lambda q: NOT_REPORTED if q is None else f"Q{q}")(need_quartile(served_need_index(f, c))),
                  quartiles + (NOT_REPORTED,),
                  focus_phrase=_l("Organizations serving the highest-need places (SVI quartile 4)"),
                  reads=("place_ids",)),
        Dimension("budget_band", _l("Annual budget"), lambda f, c: budget_band(f.annual_budget_cents),
                  bands + (NOT_REPORTED,), focus_phrase=_l("Organizations with annual budgets under $250k"),
                  reads=("annual_budget_cents",)),
        Dimension("first_time", _l("First-time applicant"), _first_time,
                  (YES, NO, NOT_REPORTED), focus_phrase=_l("First-time applicants"),
                  reads=("first_time", "extra.imported_first_time")),
        Dimension("network_member", _l("Member of a network"), lambda f, c: _yes_no(f.network_member),
                  (YES, NO), focus_phrase=_l("Members of a network"), reads=("network_member",)),
    ]


BUILTIN = "GrantFlow's built-in audit dimensions"


def plugin_dimensions(taken: dict[str, str] | None = None) -> list[Dimension]:
    """The plugins' dimensions, in key order; a key used twice (or in `taken`) is an error."""
    from grantflow.plugins import collect

    return list(collect("grantflow_audit_dimensions", "audit dimension", taken=taken).values())


def program_dimensions(program_id: int) -> list[Dimension]:
    """The built-in dimensions (POC-led judged by the program's own `poc_led` rule when it has one),
    then every plugin dimension (a plugin may not reuse a built-in key)."""
    from sqlalchemy import select

    from grantflow.core.db import db
    from grantflow.programs.models import ProgramRule

    params = db.session.execute(select(ProgramRule.params).where(
        ProgramRule.program_id == program_id, ProgramRule.rule_key == "poc_led")).scalar_one_or_none()
    dims = builtin_dimensions(params)
    return dims + plugin_dimensions({d.key: BUILTIN for d in dims})
