"""Security headers on every response (pages, error pages, JSON, downloads, static files).

One after-request hook rather than Flask-Talisman: GrantFlow has no inline script or style to
allow (so no nonces), cookies are configured in grantflow/config.py, and TLS redirects belong to
the proxy in front; what is left is five headers. A response that set its own, stricter policy
(an attachment download: `default-src 'none'; sandbox`) keeps it and gains `frame-ancestors`.
Settings: CONTENT_SECURITY_POLICY; HSTS_MAX_AGE; HSTS_ALWAYS (send HSTS on plain-http requests
too, for a proxy that ends TLS without telling the app).
"""
from __future__ import annotations

from flask import Flask, current_app, request


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response):
    config = current_app.config
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    if csp is None:
        headers["Content-Security-Policy"] = config["CONTENT_SECURITY_POLICY"]
    elif "frame-ancestors" not in csp:
        headers["Content-Security-Policy"] = f"{csp}; frame-ancestors 'none'"
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Same-origin requests keep their Referer (Flask-WTF checks it on HTTPS); other sites never see
    # a URL, so a reset or invitation link cannot leak through one.
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure or config["HSTS_ALWAYS"]:
        headers.setdefault("Strict-Transport-Security", f"max-age={config['HSTS_MAX_AGE']}; includeSubDomains")
    return response
