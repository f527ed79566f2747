"""Every hook a GrantFlow plugin can implement.

Plugins write `from grantflow import hookimpl` and implement any of these by name. Hooks are
always called with keyword arguments, and plugins receive plain frozen values, never ORM objects
or sessions. Ordering never depends on registration order.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("grantflow")


@hookspec
def grantflow_scoring_rules():
    """Called once when the plugin manager starts; returns a list of scoring rules this plugin
    provides (see `grantflow.scoring.rules.ScoringRule`). Rule keys must be unique across plugins."""


@hookspec
def grantflow_audit_dimensions():
    """Called when the equity audit is built; returns a list of extra audit dimensions
    (see `grantflow.equity.dimensions.Dimension`): a key, a label and a function that puts an
    application's facts into a group."""
