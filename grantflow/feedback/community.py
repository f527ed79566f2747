"""Community advisors' rankings of the CHNA's needs and priority places, combined by Borda count.

Combining: each advisor who ranked the n items of a list gives an item ranked r the n - r + 1
points (rank 1 earns n). An item's combined score is the mean of its points over the advisors who
ranked that list; the combined order sorts by that score (ties: the CHNA's own rank). The Borda
mean is the mean rank turned around (points = n + 1 - mean rank), so both orders agree when every
advisor ranks every item, and it still gives a fair order when an advisor skipped an item (0 points).
Adopted weights are the Borda mean divided by n: 1.0 for an item every advisor put first.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from grantflow.core.db import db

CHNA_RULE = "chna_alignment"


@dataclass(frozen=True)
class RankedItem:
    id: int
    name: str
    chna_rank: Optional[int]       # the CHNA's own rank (needs) or None (places)
    combined_rank: Optional[int]   # 1 = the advisors' top priority; None when nobody ranked it
    borda: Optional[float]         # mean Borda points
    mean_rank: Optional[float]
    n_advisors: int
    weight: Optional[float]        # borda / n, what adoption writes
    comments: tuple[str, ...]


def needs_of(funder_id: int):
    from grantflow.chna.models import PriorityNeed

    return db.session.execute(select(PriorityNeed).where(PriorityNeed.funder_id == funder_id)
                              .order_by(PriorityNeed.rank, PriorityNeed.name)).scalars().all()


def places_of(funder_id: int):
    from grantflow.chna.models import Place

    return db.session.execute(select(Place).where(Place.funder_id == funder_id, Place.is_priority.is_(True))
                              .order_by(Place.name)).scalars().all()


def my_rankings(funder_id: int, advisor_id: int) -> dict[tuple[str, int], "object"]:
    """("need"|"place", id) -> the advisor's AdvisorRanking row."""
    from grantflow.feedback.models import AdvisorRanking

    rows = db.session.execute(select(AdvisorRanking).where(
        AdvisorRanking.funder_id == funder_id, AdvisorRanking.advisor_id == advisor_id)).scalars().all()
    return {("need", r.need_id) if r.need_id else ("place", r.place_id): r for r in rows}


def save_rankings(funder_id: int, advisor_id: int, *, needs: dict[int, tuple[int, str]],
                  places: dict[int, tuple[int, str]]) -> None:
    """Replaces the advisor's ranks: need/place id -> (rank, comment)."""
    from grantflow.core import auditlog
    from grantflow.feedback.models import AdvisorRanking

    existing = my_rankings(funder_id, advisor_id)
    before = {f"{kind}:{i}": r.rank for (kind, i), r in existing.items()}
    for kind, items in (("need", needs), ("place", places)):
        for item_id, (rank, comment) in items.items():
            row = existing.pop((kind, item_id), None)
            if row is None:
                row = AdvisorRanking(funder_id=funder_id, advisor_id=advisor_id,
                                     need_id=item_id if kind == "need" else None,
                                     place_id=item_id if kind == "place" else None)
                db.session.add(row)
            row.rank = rank
            row.comment = comment or ""
    for row in existing.values():  # items no longer in the CHNA
        db.session.delete(row)
    db.session.flush()
    after = {f"need:{i}": r for i, (r, _) in needs.items()} | {f"place:{i}": r for i, (r, _) in places.items()}
    auditlog.record("feedback.advisor_ranked", object_type="Organization", object_id=funder_id,
                    before=before or None, after=after)


def _combine(items: list[tuple[int, str, Optional[int]]], ranks: dict[int, dict[int, int]],
             comments: dict[int, list[str]]) -> list[RankedItem]:
    """items: (id, name, chna_rank); ranks: advisor -> item id -> rank."""
    n = len(items)
    advisors = [a for a, r in ranks.items() if r]
    points: dict[int, list[float]] = defaultdict(list)
    rank_values: dict[int, list[int]] = defaultdict(list)
    for a in advisors:
        for item_id, _, _ in items:
            r = ranks[a].get(item_id)
            points[item_id].append(0.0 if r is None else float(n - r + 1))
            if r is not None:
                rank_values[item_id].append(r)
    scored = []
    for item_id, name, chna_rank in items:
        borda = sum(points[item_id]) / len(advisors) if advisors else None
        mean_rank = sum(rank_values[item_id]) / len(rank_values[item_id]) if rank_values[item_id] else None
        scored.append((item_id, name, chna_rank, borda, mean_rank, len(rank_values[item_id])))
    order = sorted((s for s in scored if s[3] is not None),
                   key=lambda s: (-s[3], s[2] if s[2] is not None else 10**6, s[1]))
    combined = {s[0]: i + 1 for i, s in enumerate(order)}
    return [RankedItem(item_id, name, chna_rank, combined.get(item_id), borda, mean_rank, n_adv,
                       None if borda is None or not n else round(borda / n, 4),
                       tuple(comments.get(item_id, ())))
            for item_id, name, chna_rank, borda, mean_rank, n_adv in scored]


def combined_rankings(funder_id: int) -> tuple[list[RankedItem], list[RankedItem], int]:
    """(needs, places, number of advisors who ranked anything); each list in the CHNA's order."""
    from grantflow.feedback.models import AdvisorRanking

    rows = db.session.execute(select(AdvisorRanking.advisor_id, AdvisorRanking.need_id, AdvisorRanking.place_id,
                                     AdvisorRanking.rank, AdvisorRanking.comment)
                              .where(AdvisorRanking.funder_id == funder_id)).all()
    need_ranks: dict[int, dict[int, int]] = defaultdict(dict)
    place_ranks: dict[int, dict[int, int]] = defaultdict(dict)
    need_comments: dict[int, list[str]] = defaultdict(list)
    place_comments: dict[int, list[str]] = defaultdict(list)
    for advisor_id, need_id, place_id, rank, comment in rows:
        if need_id is not None:
            need_ranks[advisor_id][need_id] = rank
            if comment and comment.strip():
                need_comments[need_id].append(comment.strip())
        elif place_id is not None:
            place_ranks[advisor_id][place_id] = rank
            if comment and comment.strip():
                place_comments[place_id].append(comment.strip())
    needs = _combine([(n.id, n.name, n.rank) for n in needs_of(funder_id)], need_ranks, need_comments)
    places = _combine([(p.id, p.name, None) for p in places_of(funder_id)], place_ranks, place_comments)
    return needs, places, len({r[0] for r in rows})


def current_need_weights(program) -> dict[str, float]:
    rule = next((r for r in program.rules if r.rule_key == CHNA_RULE), None)
    return dict((rule.params or {}).get("need_weights") or {}) if rule else {}


class AdoptError(Exception):
    pass


def _save_effective_config(program) -> None:
    """A program never configured scores with every rule's defaults, and the scoring engine turns
    off the rules without a saved row once any row exists; so before saving the first row, save
    the configuration in effect, keeping every other rule exactly as it scored."""
    from decimal import Decimal

    from grantflow.programs.models import ProgramRule
    from grantflow.scoring.engine import program_config

    for cfg in program_config(program):
        program.rules.append(ProgramRule(
            rule_key=cfg.key, enabled=cfg.enabled or cfg.key == CHNA_RULE,
            weight=Decimal(str(cfg.weight)) if cfg.key != CHNA_RULE else Decimal(1), params=dict(cfg.params)))
    db.session.flush()


def adopt_need_weights(program, actor_id: int | None = None) -> dict[str, float]:
    """Writes the advisors' combined weights into the program's CHNA-alignment rule (contracts.md
    item 2: need id as a string -> weight), creating the rule (enabled, weight 1) when absent.
    The audit trail keeps who, when, and the weights before and after."""
    from decimal import Decimal

    from grantflow.core import auditlog
    from grantflow.programs.models import ProgramRule

    needs, _, n_advisors = combined_rankings(program.funder_id)
    weights = {str(item.id): item.weight for item in needs if item.weight is not None}
    if not n_advisors or not weights:
        raise AdoptError("No community advisor has ranked the needs yet, so there is nothing to adopt.")
    rule = next((r for r in program.rules if r.rule_key == CHNA_RULE), None)
    created = rule is None
    if not program.rules:
        _save_effective_config(program)
        rule = next((r for r in program.rules if r.rule_key == CHNA_RULE), None)
    if rule is None:
        rule = ProgramRule(rule_key=CHNA_RULE, enabled=True, weight=Decimal(1), params={})
        program.rules.append(rule)
    before = {"need_weights": dict((rule.params or {}).get("need_weights") or {}), "created": created}
    rule.params = dict(rule.params or {}) | {"need_weights": weights}
    db.session.flush()
    auditlog.record("feedback.community_ranking_adopted", rule, before=before,
                    after={"need_weights": weights, "program_id": program.id, "advisors": n_advisors},
                    actor_id=actor_id)
    return weights
