"""The policy registry: each area registers its own rules, every action the code asks about has
exactly one rule, and a second rule for an action is refused."""
from __future__ import annotations

import re

import pytest

from grantflow import ROOT
from grantflow.core import policy as registry

ASKED = re.compile(r"""(?:\bauthorize|\bcan)\(\s*["']([a-z_]+\.[a-z_]+)["']"""
                   r"""|\bget_or_404\([^()]*?["']([a-z_]+\.[a-z_]+)["']\s*\)""")


def _asked_actions() -> set[str]:
    files = [*(ROOT / "grantflow").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]
    return {a or b for f in files for a, b in ASKED.findall(f.read_text(encoding="utf-8"))}


def test_every_action_asked_about_has_a_rule(app):
    asked = _asked_actions()
    assert {"application.edit", "funder.admin", "program.audit"} <= asked  # views, templates, get_or_404
    assert asked - set(registry._POLICIES) == set()


def test_each_rule_lives_in_its_area(app):
    areas = {action: fn.__module__ for action, fn in registry._POLICIES.items()}
    assert areas["application.edit"] == "grantflow.applications.policy"
    assert areas["application.review"] == "grantflow.reviews.policy"
    assert areas["program.audit"] == "grantflow.equity.policy"
    assert not any(module.startswith("grantflow.core") for module in areas.values())


def test_a_second_rule_for_an_action_is_refused_naming_both(app):
    before = registry._POLICIES["application.edit"]
    with pytest.raises(ValueError, match="grantflow.applications.policy and tests.test_policy_registry"):
        @registry.policy("application.edit")
        def _everyone(user, obj) -> bool:
            return True
    assert registry._POLICIES["application.edit"] is before
