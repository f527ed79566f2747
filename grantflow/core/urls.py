"""The app's URL rules, redirect targets that stay on this site, and absolute links for messages."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, redirect, request, url_for
from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A URL rule whose two builders (the functions `url_for` calls) are compiled the first time
    each is used. Werkzeug compiles both, as Python code, when a rule is added: for the app's 160-odd
    rules that was half of the 0.14 s it took to create the app, which every web and worker process,
    every command and every test pays, while a process builds the URLs of a few dozen endpoints.
    The compiled builder then replaces the stand-in, so each is compiled once."""

    def _compile_builder(self, append_unknown: bool = True):
        name = "_build_unknown" if append_unknown else "_build"
        compile_now = super()._compile_builder

        def build_first(rule: Rule, /, **values):  # positional only: a value may be named "rule"
            built = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, name, built)
            return built(**values)

        return build_first


def safe_next(default_endpoint: str = "core.dashboard") -> str:
    target = request.values.get("next") or ""
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. "//[": an unbalanced IPv6 host
        return url_for(default_endpoint)
    # Browsers read "/\\host" as "//host": a backslash never stays on this site.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target \
            and not parts.scheme and not parts.netloc:
        return target
    return url_for(default_endpoint)


def redirect_next(default_endpoint: str = "core.dashboard"):
    return redirect(safe_next(default_endpoint))


def external_url(endpoint: str, *, base_url: str | None = None, **values) -> str:
    """An absolute link for a message: from the current request; outside one (a queue job) from
    `base_url` (the address an earlier request was made at) or the `SITE_URL` setting; "" when
    no address is known, so the message says where to go in words instead."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = base_url or current_app.config["SITE_URL"]
    if not base:
        try:
            return url_for(endpoint, _external=True, **values)  # a SERVER_NAME is configured
        except RuntimeError:
            return ""
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
