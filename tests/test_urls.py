"""URL building: the app's rules compile `url_for`'s builders when first used (grantflow/core/urls.py),
and build exactly the URLs werkzeug's own rules build."""
from __future__ import annotations

from flask import url_for
from werkzeug.routing import IntegerConverter, Map, Rule

from grantflow.core.urls import LazyBuilderRule


def _sample(converter) -> object:
    return 7 if isinstance(converter, IntegerConverter) else "health-2026"


def test_no_builder_is_compiled_when_the_app_is_made(app):
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    assert all(type(r) is LazyBuilderRule for r in rules)
    assert all(r._build.__name__ == r._build_unknown.__name__ == "build_first" for r in rules)


def test_every_rule_builds_what_werkzeug_builds(app):
    """Each rule of the app, with and without unknown arguments (a query string), against a plain
    werkzeug map holding the same rules with the same converters."""
    plain = Map(converters=dict(app.url_map.converters), strict_slashes=app.url_map.strict_slashes)
    for r in app.url_map.iter_rules():
        plain.add(Rule(r.rule, endpoint=r.endpoint, methods=r.methods, defaults=r.defaults,
                       strict_slashes=r.strict_slashes, merge_slashes=r.merge_slashes))
    lazy, reference = app.url_map.bind("localhost"), plain.bind("localhost")
    built = 0
    for r in app.url_map.iter_rules():
        values = {name: _sample(r._converters[name]) for name in r.arguments if name in r._converters}
        for extra in ({}, {"page": 2, "q": "a b&c"}):
            method = sorted(r.methods - {"HEAD", "OPTIONS"})[0]
            expected = reference.build(r.endpoint, {**values, **extra}, method=method)
            assert lazy.build(r.endpoint, {**values, **extra}, method=method) == expected, r.rule
            assert (lazy.build(r.endpoint, {**values, **extra}, method=method, append_unknown=False)
                    == reference.build(r.endpoint, {**values, **extra}, method=method, append_unknown=False)), r.rule
            built += 1
    assert built == 2 * len(list(app.url_map.iter_rules()))


def test_a_builder_is_compiled_once_then_kept(app):
    with app.test_request_context():
        first = url_for("programs.public", program="health-2026")
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "programs.public")
        # url_for builds with unknown arguments as a query string: that builder alone is compiled.
        compiled = rule._build_unknown
        assert compiled.__name__ != "build_first" and rule._build.__name__ == "build_first"
        assert url_for("programs.public", program="health-2026", page=2) == "/programs/health-2026?page=2"
        assert first == "/programs/health-2026"
        assert rule._build_unknown is compiled


def test_any_value_name_builds_even_one_named_like_the_stand_ins_parameter(app):
    """The stand-in takes its rule positionally only, as werkzeug's builders do (".self"): a query
    value named "rule" or "self" is a value like another."""
    with app.test_request_context():
        assert url_for("programs.public", program="health-2026", rule="poc", self="x") == \
            "/programs/health-2026?rule=poc&self=x"
