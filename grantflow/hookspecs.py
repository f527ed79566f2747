"""Every hook a GrantFlow plugin can implement (documented for plugin authors in docs/plugins.md).

Plugins write `from grantflow.plugin_api import hookimpl` (everything a plugin may use is in
`grantflow.plugin_api`) and implement any of these by name. Hooks are always called with keyword
arguments, and plugins receive plain, deeply immutable values, never ORM objects or sessions.
Ordering never depends on registration order: callers sort what the hooks return by key, and a
key returned by two plugins is a `DuplicateKeyError` naming both. `tests/scoring/test_hooks.py`
fails when a hook here has no section in docs/plugins.md or no `test_hook_<name>` test.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("grantflow")


@hookspec
def grantflow_scoring_rules():
    """Called whenever the available scoring rules are listed (the scoring configuration page,
    every rescoring, the what-if sandbox, `grantflow plugins`); takes no arguments and returns a
    list of `ScoringRule` instances. Rule keys must be unique across plugins (a duplicate is an
    error naming both plugins); rules are used in key order."""


@hookspec
def grantflow_audit_dimensions():
    """Called when the equity audit is built; returns a list of extra audit dimensions
    (`Dimension`): a key, a label and a function that puts an application's facts into a group.
    A dimension built on identity data (leadership demographics and what derives from them) sets
    `identity=True`, so its small groups are withheld like POC-led's; others are shown in full.
    A key used by a built-in dimension or another plugin is an error naming both."""


@hookspec
def grantflow_application_questions():
    """Called when a program's scoring configuration is saved; takes no arguments and returns a
    list of `Question` — extra application questions that a plugin's rules read. The questions
    named in an enabled rule's `questions` are added to the program's custom questions (by key,
    once); their answers reach the rule as `facts.extra[key]`. Questions are used in key order;
    a key defined by two plugins is an error naming both."""
