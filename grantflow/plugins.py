"""The plugin manager: built-in plugins are loaded exactly as third-party ones (Datasette's model).

Built-ins are listed in DEFAULT_PLUGINS; third-party packages register modules under the
`grantflow` entry-point group.
"""
from __future__ import annotations

import importlib

import pluggy
from flask import Flask

from grantflow import hookspecs

DEFAULT_PLUGINS: tuple[str, ...] = ()

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


def init_app(app: Flask) -> None:
    app.extensions["grantflow_plugins"] = load_plugins()
