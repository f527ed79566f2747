"""The example third-party package (tests/plugin_pkg, installed into the test environment) is
found through its `grantflow` entry point — not registered by the test — and its rule scores."""
from __future__ import annotations

from importlib import metadata

from grantflow.core.db import db
from grantflow.plugins import load_plugins
from grantflow.programs.models import CustomQuestion
from grantflow.applications.models import Answer
from grantflow.scoring import engine
from grantflow.scoring.registry import available_rules
from tests.scoring.helpers import configure, scoring_world


def test_example_package_is_discovered_through_its_entry_point():
    eps = [ep for ep in metadata.entry_points(group="grantflow") if ep.name == "example"]
    assert eps and eps[0].value == "grantflow_example_plugin"
    pm = load_plugins()
    dists = {dist.project_name: (plugin, dist) for plugin, dist in pm.list_plugin_distinfo()}
    plugin, dist = dists["grantflow-example-plugin"]
    assert plugin.__name__ == "grantflow_example_plugin" and dist.version == "1.0.0"
    assert pm.get_name(plugin) == "example"
    rule = available_rules()["youth_led"]
    assert type(rule).__module__ == "grantflow_example_plugin" and not rule.default_enabled


def test_example_rule_scores_in_a_rescore(app):
    w = scoring_world()
    configure(w.program, {"youth_led": (1, {"points": 4}), "first_time_small": (1, {})})
    q = CustomQuestion(program_id=w.program.id, key="youth_led", label="Youth-led?", kind="single_choice",
                       options=["yes", "no"])
    db.session.add(q)
    db.session.flush()
    db.session.add(Answer(application_id=w.apps[1].id, question_id=q.id, value="yes"))
    run = engine.rescore(w.program.id)
    assert {"key": "youth_led", "version": "1.0"}.items() <= next(
        r for r in run.config["rules"] if r["key"] == "youth_led").items()
    scores = engine.latest_results(w.program.id)
    youth = next(r for r in scores[w.apps[1].id].rules if r.rule_key == "youth_led")
    assert youth.status == "ok" and youth.points == 4 and youth.max_points == 4
    assert next(r for r in scores[w.apps[0].id].rules if r.rule_key == "youth_led").points == 0
