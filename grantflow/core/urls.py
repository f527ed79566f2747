"""Redirect targets that stay on this site."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request, url_for


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
