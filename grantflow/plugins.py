"""The plugin manager: built-in plugins are loaded exactly as third-party ones (Datasette's model).

Built-ins are listed in DEFAULT_PLUGINS (modules of the top-level `plugins` package); third-party
packages register modules under the `grantflow` entry-point group. `grantflow plugins` lists
every loaded plugin with its version and the rules it provides.
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import click
import pluggy
from flask import Flask

from grantflow import hookspecs

DEFAULT_PLUGINS: tuple[str, ...] = (
    "plugins.rubric",
    "plugins.poc_led",
    "plugins.community_led",
    "plugins.feedback_loops",
    "plugins.chna_alignment",
    "plugins.place_need",
    "plugins.first_time_small",
)

pm = pluggy.PluginManager("grantflow")
pm.add_hookspecs(hookspecs)
_loaded = False


def load_plugins() -> pluggy.PluginManager:
    global _loaded
    if _loaded:
        return pm
    for name in DEFAULT_PLUGINS:
        module = importlib.import_module(name)
        if not pm.is_registered(module):
            pm.register(module, name)
    pm.load_setuptools_entrypoints("grantflow")
    pm.check_pending()
    _loaded = True
    return pm


class DuplicateKeyError(RuntimeError):
    """Two plugins (or a plugin and GrantFlow itself) use one key for a scoring rule, a question
    or an audit dimension. A key names one thing, so this is an error, whichever was loaded first."""

    def __init__(self, kind: str, key: str, first: str, second: str):
        a, b = sorted({first, second}) if first != second else (first, first)
        who = f"both {a} and {b}" if a != b else f"{a} twice"
        super().__init__(f"the {kind} key {key!r} is registered by {who}; one of them must use another key")
        self.kind, self.key, self.plugins = kind, key, (a, b)


def collect(hook_name: str, kind: str, *, taken: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`{key: item}` of what every plugin's `hook_name` implementation returns, in key order.

    Each implementation is called by itself (hooks of this kind take no arguments) so that every
    item is known by the plugin that returned it: a key returned by two plugins, or already in
    `taken` (key -> its owner, e.g. GrantFlow's built-in audit dimensions), is a
    DuplicateKeyError naming both."""
    owners = dict(taken or {})
    found: dict[str, Any] = {}
    for impl in getattr(load_plugins().hook, hook_name).get_hookimpls():
        for item in impl.function() or ():
            key = item.key
            if key in owners and found.get(key) is not item:
                raise DuplicateKeyError(kind, key, owners[key], impl.plugin_name)
            owners[key], found[key] = impl.plugin_name, item
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class PluginInfo:
    name: str
    module: str
    version: str
    hooks: tuple[str, ...]
    rules: tuple[str, ...]  # "key (version)"


def _grantflow_version() -> str:
    try:
        return metadata.version("grantflow")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"


def get_plugins() -> list[PluginInfo]:
    """Every loaded plugin, sorted by name: its package version (or the module's `__version__`,
    or GrantFlow's own for built-ins), its hooks and its rules."""
    manager = load_plugins()
    dists = {id(plugin): dist for plugin, dist in manager.list_plugin_distinfo()}
    out = []
    for plugin in manager.get_plugins():
        name = manager.get_name(plugin) or getattr(plugin, "__name__", type(plugin).__name__)
        module = getattr(plugin, "__name__", type(plugin).__module__)
        dist = dists.get(id(plugin))
        if dist is not None:
            version, name = dist.version, f"{dist.metadata['Name']} ({name})"
        else:
            version = getattr(plugin, "__version__", None) or (
                _grantflow_version() if name in DEFAULT_PLUGINS else "unknown")
        hooks = tuple(sorted(h.name for h in manager.get_hookcallers(plugin) or ()))
        rules: tuple[str, ...] = ()
        impl = getattr(plugin, "grantflow_scoring_rules", None)
        if impl is not None:
            rules = tuple(sorted(f"{r.key} (v{r.version})" for r in impl() or ()))
        out.append(PluginInfo(name, module, str(version), hooks, rules))
    return sorted(out, key=lambda p: p.name)


@click.command("plugins")
def plugins_command() -> None:
    """List every loaded plugin, its version and the scoring rules it provides."""
    for info in get_plugins():
        click.echo(f"{info.name}  {info.version}")
        click.echo(f"  module: {info.module}")
        click.echo(f"  hooks:  {', '.join(info.hooks) or '-'}")
        click.echo(f"  rules:  {', '.join(info.rules) or '-'}")


def init_app(app: Flask) -> None:
    app.extensions["grantflow_plugins"] = load_plugins()
    app.cli.add_command(plugins_command)
