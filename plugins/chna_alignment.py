"""Credit for addressing the needs the funder's CHNA ranked highest.

Weights: the `need_weights` parameter (need id as a string → weight; community advisors' adopted
ranking is written there), else each need's CHNA weight, else its rank (the top of n needs weighs
n, the last 1). Needs missing from a non-empty `need_weights` weigh 0.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grantflow.plugin_api import N_, Param, RuleScore, ScoringRule, clamp, explain, hookimpl, listing

MAX = 10.0


# Where the weights came from: kept in the evidence as is (the English words), and the explanation's
# words for each.
PROGRAM_WEIGHTS = N_("the program's need weights")
CHNA_WEIGHTS = N_("the CHNA's weights")
CHNA_RANKING = N_("the CHNA's ranking")
SOURCES = {PROGRAM_WEIGHTS: N_("Addresses %(needs)s; weighted by the program's need weights."),
           CHNA_WEIGHTS: N_("Addresses %(needs)s; weighted by the CHNA's weights."),
           CHNA_RANKING: N_("Addresses %(needs)s; weighted by the CHNA's ranking.")}
NO_NEEDS = explain("The funder has no weighted CHNA needs yet, so this rule is left out.")
NONE_NAMED = explain("The application does not name any of the CHNA's priority needs.")


def need_weights(ctx, params) -> tuple[dict[int, float], str]:
    """`{need_id: weight}` and where the weights came from (a `SOURCES` key)."""
    chosen = params.get("need_weights") or {}
    if chosen:
        return {nid: max(0.0, float(chosen.get(str(nid), 0.0))) for nid in ctx.needs}, PROGRAM_WEIGHTS
    if ctx.needs and all(n.weight is not None for n in ctx.needs.values()):
        return {nid: max(0.0, n.weight) for nid, n in ctx.needs.items()}, CHNA_WEIGHTS
    lowest = max((n.rank for n in ctx.needs.values()), default=0)
    return {nid: float(lowest + 1 - n.rank) for nid, n in ctx.needs.items()}, CHNA_RANKING


class ChnaAlignmentRule(ScoringRule):
    key = "chna_alignment"
    label = _l("CHNA need alignment")
    description = _l("Credit for the needs an application addresses, weighted by their rank in the funder's "
                   "Community Health Needs Assessment (or by the weights the program sets, e.g. the "
                   "community advisors' ranking). Addressing the top-weighted need earns full credit.")
    version = "1"
    default_enabled = True
    params = (
        Param("combine", "choice", "best", label=_l("Several needs addressed"),
              choices=(("best", _l("Count the highest-weighted need addressed")),
                       ("sum", _l("Add up the needs addressed (capped at full credit)")))),
        Param("need_weights", "mapping", {}, label=_l("Need weights"), min=0, max=1000, refers="need",
              help=_l("One line per need: need id = weight. Leave empty to use the CHNA's weights or ranking.")),
    )

    evidence_labels = {"needs": _l("needs"), "source": _l("weights from")}
    evidence_words = {"source": {source: _l(source) for source in SOURCES}}

    reads = ("need_ids",)

    def score(self, facts, ctx, params) -> RuleScore:
        return self._score(facts, ctx, params, *need_weights(ctx, params))

    def score_many(self, facts, ctx, params) -> list[RuleScore]:
        """The need weights are the program's: drawn once, not once per application."""
        weights, source = need_weights(ctx, params)
        return self.each_distinct(facts, lambda f: self._score(f, ctx, params, weights, source))

    def _score(self, facts, ctx, params, weights, source) -> RuleScore:
        top = max(weights.values(), default=0.0)
        if top <= 0:
            return RuleScore(None, MAX, NO_NEEDS, {})
        addressed = [nid for nid in facts.need_ids if nid in weights]
        if not addressed:
            return RuleScore(0.0, MAX, NONE_NAMED, {"needs": []})
        values = [weights[nid] for nid in addressed]
        value = max(values) if params["combine"] == "best" else sum(values)
        points = clamp(MAX * min(1.0, value / top), MAX)
        names = listing(explain("%(need)s (rank %(rank)s)", need=ctx.needs[nid].name, rank=ctx.needs[nid].rank)
                        for nid in sorted(addressed, key=lambda n: (ctx.needs[n].rank, n)))
        return RuleScore(points, MAX, explain(SOURCES[source], needs=names),
                         {"needs": sorted(addressed), "source": source})


RULE = ChnaAlignmentRule()


@hookimpl
def grantflow_scoring_rules():
    return [RULE]
