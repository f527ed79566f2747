"""Credit for serving high-need places: the population-weighted need index of the places served
(`facts.served_need_index`, e.g. CDC SVI 0–1) and a bonus for the funder's priority places."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grantflow.plugin_api import (
    Param, RuleScore, ScoringRule, clamp, clauses, explain, hookimpl, need_quartile, number, served_need_index,
    serves_priority_place,
)


class PlaceNeedRule(ScoringRule):
    key = "place_need"
    label = _l("Place-based need")
    description = _l("Credit for serving places with high need: the need index (such as the CDC Social "
                   "Vulnerability Index, 0 to 1) of the places served, weighted by their population, plus "
                   "a bonus for serving one of the funder's priority places.")
    version = "1"
    default_enabled = True
    params = (
        Param("index_points", "float", 8, label=_l("Points for the need index"), min=0, max=100,
              help=_l("A need index of 1 (the highest need) earns all of these points.")),
        Param("priority_points", "float", 2, label=_l("Bonus for serving a priority place"), min=0, max=100),
    )

    evidence_labels = {"need_index": _l("need index"), "priority_place": _l("priority place"),
                       "places": _l("places")}

    def check(self, params):
        if params["index_points"] + params["priority_points"] <= 0:
            return {"index_points": _("Give the need index or priority places some points.")}
        return {}

    reads = ("place_ids",)

    def score(self, facts, ctx, params) -> RuleScore:
        maximum = params["index_points"] + params["priority_points"]
        index = served_need_index(facts, ctx)
        priority = serves_priority_place(facts, ctx)
        points = 0.0
        if index is None:
            said = [NO_INDEX]
        else:
            index = max(0.0, min(1.0, index))
            points += params["index_points"] * index
            said = [explain("the places served have a population-weighted need index of %(index)s "
                            "(quartile %(quartile)s of 4)", index=number(index, 2), quartile=need_quartile(index))]
        if priority:
            points += params["priority_points"]
            said.append(SERVES_PRIORITY)
        elif facts.place_ids:
            said.append(NO_PRIORITY)
        return RuleScore(clamp(points, maximum), maximum, clauses(*said),
                         {"need_index": None if index is None else round(index, 4), "priority_place": priority,
                          "places": len(facts.place_ids)})


NO_INDEX = explain("no place served has a need index, so the need part earns nothing")
SERVES_PRIORITY = explain("it serves a priority place")
NO_PRIORITY = explain("it serves no priority place")

RULE = PlaceNeedRule()


@hookimpl
def grantflow_scoring_rules():
    return [RULE]
