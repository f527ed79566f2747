"""Error pages, and the 401 that sends a browser to the login page with its place kept."""
from __future__ import annotations

from flask import Flask, redirect, render_template, request, url_for


def init_app(app: Flask) -> None:
    @app.errorhandler(401)
    def unauthorized(error):
        if request.accept_mimetypes.best == "application/json":
            return {"error": "login required"}, 401
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    for code, title in ((400, "Bad request"), (403, "Not allowed"), (404, "Not found"),
                        (405, "Method not allowed"), (413, "File too large"),
                        (429, "Too many attempts"), (500, "Something went wrong")):
        app.register_error_handler(code, _handler(code, title))


def _handler(code: int, title: str):
    def handle(error):
        description = getattr(error, "description", "") or ""
        return render_template("errors/error.html", code=code, title=title, description=description), code

    return handle
