"""The plugin API: one public module, documented; facts documented field by field; and every
value a plugin receives is deeply read-only, so no rule can change what a later rule sees."""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from grantflow import facts as facts_module
from grantflow import plugin_api
from grantflow.plugin_api import RuleScore, ScoringRule
from grantflow.scoring import engine
from tests.scoring.facts import CTX, facts

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "plugins.md").read_text()
PLUGIN_FILES = sorted((ROOT / "plugins").glob("*.py")) + sorted((ROOT / "tests" / "plugin_pkg").rglob("*.py"))
FACT_TYPES = ("ApplicationFacts", "ProgramContext", "NeedFact", "PlaceFact", "FeedbackLoopFact", "RubricFact")


def _grantflow_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "grantflow":
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "grantflow"}
    return found


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_import_only_the_plugin_api(path):
    assert _grantflow_imports(path) <= {"grantflow.plugin_api"}


def test_every_public_name_exists_and_is_documented():
    assert len(plugin_api.__all__) == len(set(plugin_api.__all__))
    for name in plugin_api.__all__:
        assert hasattr(plugin_api, name), name
        assert f"`{name}`" in DOCS, f"{name} is exported by grantflow.plugin_api but not documented"


def _documented_fields(type_name: str) -> list[str]:
    section = re.search(rf"^### {type_name}\n(.*?)(?=^##)", DOCS, re.M | re.S)
    assert section, f"docs/plugins.md has no '### {type_name}' section"
    return re.findall(r"^\| `(\w+)` \|", section.group(1), re.M)


@pytest.mark.parametrize("type_name", FACT_TYPES)
def test_every_fact_field_is_documented_and_every_documented_field_exists(type_name):
    fields = [f.name for f in dataclasses.fields(getattr(facts_module, type_name))]
    assert _documented_fields(type_name) == fields


def test_the_two_board_totals_are_told_apart():
    rows = dict(re.findall(r"^\| `(board_total|practice_board_total)` \| [^|]+ \| ([^|]+) \|", DOCS, re.M))
    assert "demographics page" in rows["board_total"] and "community-practices page" in rows["practice_board_total"]


def test_facts_context_and_params_are_deeply_read_only():
    f = facts(extra={"methods": ["survey", "assembly"], "detail": {"n": 1}})
    with pytest.raises(TypeError):
        f.extra["methods"] = "changed"  # type: ignore[index]
    with pytest.raises(AttributeError):
        f.extra["methods"].append("more")
    with pytest.raises(TypeError):
        f.extra["detail"]["n"] = 2  # type: ignore[index]
    with pytest.raises(TypeError):
        CTX.needs[99] = CTX.needs[1]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.need_ids = (1,)  # type: ignore[misc]
    more = f.with_extra({"youth_led": "yes"})
    assert more.extra["youth_led"] == "yes" and "youth_led" not in f.extra  # a new value, not a change


class Meddler(ScoringRule):
    """Tries to change what the rules after it see, then scores."""

    key = "aa_meddler"
    label = "Meddler"
    description = "Changes shared inputs."

    def score(self, facts, ctx, params):
        for attempt in (lambda: facts.extra.update({"youth_led": "yes"}), lambda: ctx.places.clear(),
                        lambda: ctx.needs.pop(1), lambda: params.update({"points": 100})):
            try:
                attempt()
            except (TypeError, AttributeError):
                pass
        return RuleScore(1, 1, "Done.")


class Reader(ScoringRule):
    key = "zz_reader"
    label = "Reader"
    description = "Reports what it sees."
    params = (plugin_api.Param("points", "int", 5),)

    def score(self, facts, ctx, params):
        return RuleScore(0, 1, "Seen.", {"extra": dict(facts.extra), "places": len(ctx.places),
                                         "needs": len(ctx.needs), "points": params["points"]})


def test_a_rule_cannot_change_what_later_rules_see():
    configs = [engine.RuleConfig(r.key, r, True, 1.0, r.defaults()) for r in (Meddler(), Reader())]
    scores = engine.score_all(configs, CTX, [facts(application_id=1), facts(application_id=2)])
    for s in scores.values():
        seen = next(r for r in s.rules if r.rule_key == "zz_reader").evidence
        assert seen == {"extra": {}, "places": 3, "needs": 3, "points": 5}
    assert configs[1].params == {"points": 5}

