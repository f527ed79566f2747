"""Error pages, the 401 that sends a browser to the login page with its place kept, and RFC 9457
problem documents (``application/problem+json``) for the URL prefixes that serve machines.

An area that serves JSON clients (the API) registers its prefix with :func:`problem_json_under`:
every error under it — raised by its views, or by routing itself (an unknown URL, a method not
allowed, a rate limit) — is answered as a problem document, never an HTML page or a redirect.
A view adds the field-by-field detail with :func:`problem`.
"""
from __future__ import annotations

from http import HTTPStatus

from flask import Flask, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(HTTPException):
    """An HTTP error with what went wrong at each field (``errors``: field -> message)."""

    def __init__(self, code: int, detail: str = "", errors: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.code = code
        self.errors = dict(errors or {})
        self.extra_headers = dict(headers or {})


def problem(code: int, detail: str = "", errors: dict[str, str] | None = None, **headers) -> Problem:
    return Problem(code, detail, errors, headers)


def problem_json_under(app: Flask, prefix: str) -> None:
    app.extensions.setdefault("gf_problem_prefixes", []).append(prefix)


def _wants_problem() -> bool:
    return any(request.path.startswith(p) for p in current_app.extensions.get("gf_problem_prefixes", ()))


def problem_response(error: HTTPException):
    """The RFC 9457 document of ``error``: type, title, status, detail, instance, and ``errors``
    (a list of {field, detail}) when fields are at fault."""
    code = error.code or 500
    body = {"type": "about:blank", "title": HTTPStatus(code).phrase, "status": code,
            "detail": error.description or HTTPStatus(code).description, "instance": request.path}
    fields = getattr(error, "errors", None) or {}
    if fields:
        body["errors"] = [{"field": field, "detail": message} for field, message in fields.items()]
    response = current_app.json.response(body)
    response.status_code = code
    response.mimetype = PROBLEM_JSON
    for name, value in (getattr(error, "extra_headers", None) or {}).items():
        response.headers[name] = value
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="grantflow"'
    if code == 405:
        for name, value in error.get_headers():
            if name == "Allow":
                response.headers["Allow"] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(401)
    def unauthorized(error):
        if _wants_problem():
            return problem_response(error)
        if request.accept_mimetypes.best == "application/json":
            return {"error": "login required"}, 401
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    for code in PAGES:
        app.register_error_handler(code, _handler(code))
    app.register_error_handler(Problem, problem_response)
    app.register_error_handler(HTTPException, _other)


# An error page's title and, when the error carries no message of the app's own, what it says,
# in the page's language (werkzeug's own descriptions are English only).
PAGES = {
    400: (_l("Bad request"), _l("What was sent could not be read. Go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Not found"), _l("There is no such page, or it is not yours to see. Check the address.")),
    405: (_l("Method not allowed"), _l("This page cannot be used this way.")),
    413: (_l("File too large"), _l("What you sent is larger than is allowed. Go back and send a smaller file.")),
    429: (_l("Too many attempts"), _l("Wait a few minutes, then try again.")),
    500: (_l("Something went wrong"), _l("Try again in a moment.")),
}


def _handler(code: int):
    title, default = PAGES[code]

    def handle(error):
        if _wants_problem():
            return problem_response(error)
        description = getattr(error, "description", "") or ""
        if isinstance(error, CSRFError):  # Flask-WTF's own English ("The CSRF token has expired.")
            description = _l("The page was open too long, or your session ended: go back, reload the page and "
                             "send it again.")
        elif (code == 429 or not description  # the limiter's "5 per 1 minute"
              or description == getattr(type(error), "description", None)):
            description = default
        return render_template("errors/error.html", code=code, title=title, description=description), code

    return handle


def _other(error: HTTPException):
    """Any other HTTP error (409, 415, 422 ...): a problem document under a JSON prefix, else as Flask makes it."""
    return problem_response(error) if _wants_problem() else error
