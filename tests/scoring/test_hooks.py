"""Every hook is documented and tested (Datasette's pattern), and each hook works through the
real plugin manager. Plugins under test are registered in the test and unregistered after."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from grantflow import hookimpl
from grantflow.applications.models import Answer
from grantflow.core.db import db
from grantflow.plugins import DEFAULT_PLUGINS, get_plugins, load_plugins, pm
from grantflow.programs.models import CustomQuestion
from grantflow.scoring import engine
from grantflow.plugin_api import DuplicateKeyError
from grantflow.scoring.registry import available_questions, available_rules
from grantflow.scoring.rules import RuleScore, ScoringRule
from tests.scoring.helpers import scoring_world

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HOOKS = sorted(name for name in dir(load_plugins().hook) if name.startswith("grantflow_"))


@pytest.fixture
def registered():
    """register(obj) registers a plugin for this test only."""
    added = []

    def register(plugin, name):
        pm.register(plugin, name)
        added.append(plugin)
        return plugin

    yield register
    for plugin in added:
        if pm.is_registered(plugin):
            pm.unregister(plugin)


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hooks_have_tests(hook):
    assert f"test_hook_{hook}" in globals(), f"hook {hook} has no test_hook_{hook} test"


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hooks_are_documented(hook):
    headings = re.findall(r"^### (\w+)\(", DOCS.read_text(), re.M)
    assert hook in headings, f"hook {hook} has no section in docs/plugins.md"


def test_every_hook_has_a_docstring_and_the_grantflow_prefix():
    from grantflow import hookspecs

    for hook in HOOKS:
        assert (getattr(hookspecs, hook).__doc__ or "").strip()
    assert all(h.startswith("grantflow_") for h in HOOKS) and HOOKS


def test_builtins_are_registered_like_third_party_plugins():
    names = {pm.get_name(p) for p in pm.get_plugins()}
    assert set(DEFAULT_PLUGINS) <= names
    assert {"rubric", "poc_led", "community_led", "feedback_loops", "chna_alignment", "place_need",
            "first_time_small"} <= set(available_rules())


class Shouty(ScoringRule):
    key = "aaa_shouty"
    label = "Shouty"
    description = "Always full marks."

    def score(self, facts, ctx, params):
        return RuleScore(1, 1, "Full marks.")


def test_hook_grantflow_scoring_rules(registered):
    class Plugin:
        @hookimpl
        def grantflow_scoring_rules(self):
            return [Shouty()]

    before = list(available_rules())
    assert before == sorted(before)  # key order, never registration order
    registered(Plugin(), "shouty")
    keys = list(available_rules())
    assert keys[0] == "aaa_shouty" and keys == sorted(keys)

    class Clash:
        @hookimpl
        def grantflow_scoring_rules(self):
            clash = Shouty()
            clash.key = "poc_led"
            return [clash]

    registered(Clash(), "clash")
    with pytest.raises(DuplicateKeyError, match="poc_led") as clash:
        available_rules()
    assert clash.value.plugins == ("clash", "plugins.poc_led")
    assert "registered by both clash and plugins.poc_led" in str(clash.value)


def test_hook_grantflow_audit_dimensions(app, registered):
    from grantflow.equity.dimensions import Dimension, plugin_dimensions, program_dimensions

    class Plugin:
        @hookimpl
        def grantflow_audit_dimensions(self):
            return [Dimension("zz_network", "Network member", lambda f, c: "yes" if f.network_member else "no", ("yes", "no")),
                    Dimension("aa_kind", "Organization kind", lambda f, c: f.organization_kind)]

    registered(Plugin(), "dims")
    keys = [d.key for d in plugin_dimensions()]
    assert keys.index("aa_kind") < keys.index("zz_network")
    w = scoring_world()
    dims = {d.key: d for d in program_dimensions(w.program.id)}
    assert "zz_network" in dims and "poc_led" in dims
    ctx, facts = engine.load_inputs(w.program, [])
    assert {dims["aa_kind"].group(f, ctx) for f in facts} == {"cbo"}

    # One rule for keys: a built-in's key, or another plugin's, is an error naming both.
    class Shadow:
        @hookimpl
        def grantflow_audit_dimensions(self):
            return [Dimension("poc_led", "Mine", lambda f, c: "yes")]

    shadow = registered(Shadow(), "shadow")
    with pytest.raises(DuplicateKeyError) as clash:
        program_dimensions(w.program.id)
    assert clash.value.plugins == ("GrantFlow's built-in audit dimensions", "shadow")
    pm.unregister(shadow)

    class Twin:
        @hookimpl
        def grantflow_audit_dimensions(self):
            return [Dimension("zz_network", "Network again", lambda f, c: "yes")]

    registered(Twin(), "twin")
    with pytest.raises(DuplicateKeyError, match="zz_network") as clash:
        plugin_dimensions()
    assert clash.value.plugins == ("dims", "twin")


def test_hook_grantflow_application_questions(app, login, registered):
    """The installed example plugin's question is added when its rule is turned on, and the
    applicant's answer reaches the rule through facts.extra; a second plugin defining the same
    key is an error naming both."""
    from grantflow.plugin_api import Question

    assert "youth_led" in available_questions()

    class Twin:
        @hookimpl
        def grantflow_application_questions(self):
            return [Question("youth_led", "Are you young?")]

    twin = registered(Twin(), "twin")
    with pytest.raises(DuplicateKeyError) as clash:
        available_questions()
    assert clash.value.plugins == ("example", "twin")
    pm.unregister(twin)
    w = scoring_world()
    from grantflow.scoring.services import save_config

    configs = [c if c.key != "youth_led" else engine.RuleConfig(c.key, c.rule, True, 2.0, c.params)
               for c in engine.program_config(w.program)]
    save_config(w.program, configs)
    save_config(w.program, configs)  # a second save does not add it again
    questions = db.session.execute(select(CustomQuestion).where(CustomQuestion.program_id == w.program.id,
                                                                CustomQuestion.key == "youth_led")).scalars().all()
    assert len(questions) == 1 and questions[0].options == ["yes", "no"]
    db.session.add(Answer(application_id=w.apps[0].id, question_id=questions[0].id, value="yes"))
    db.session.add(Answer(application_id=w.apps[1].id, question_id=questions[0].id, value="no"))
    engine.rescore(w.program.id)
    scores = engine.latest_results(w.program.id)
    youth = {aid: next(r for r in s.rules if r.rule_key == "youth_led") for aid, s in scores.items()}
    assert youth[w.apps[0].id].points == 5 and youth[w.apps[1].id].points == 0
    assert "not say" in youth[w.apps[2].id].explanation


def test_plugins_command_lists_plugins_versions_and_rules(app):
    out = app.test_cli_runner().invoke(args=["plugins"]).output
    assert "grantflow-example-plugin (example)  1.0.0" in out and "youth_led (v1.0)" in out
    assert "plugins.poc_led" in out and "poc_led (v1)" in out
    info = {p.module: p for p in get_plugins()}
    assert info["plugins.rubric"].rules == ("rubric (v1)",)
    assert info["grantflow_example_plugin"].hooks == ("grantflow_application_questions", "grantflow_scoring_rules")
