"""The API area's pages and the API's own documents: the tokens page (make, name and revoke your
own tokens), `/api/v1/openapi.json` and the documentation rendered from it on the server (no
script, so it runs under the strict Content-Security-Policy and needs no CDN).

Registering this blueprint sets up the API: the flask-smorest extension, its resources'
blueprints, no session cookie under the API's prefix, and problem documents for its errors.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.api import TokenForm
from grantflow.api import applications, audit, auth, awards, decisions, programs, reviews, tokens
from grantflow.api.models import SCOPE_LABELS, ApiToken
from grantflow.api.spec import PREFIX, make_api
from grantflow.core import errors
from grantflow.core.policy import get_or_404

bp = Blueprint("api", __name__)

RESOURCES = (programs.blp, applications.blp, reviews.blp, decisions.blp, audit.blp, awards.blp)


@bp.record_once
def _set_up(state) -> None:
    app = state.app
    api = make_api(app)
    from grantflow.programs.slugs import ProgramConverter

    api.register_converter(ProgramConverter, lambda _converter: {"type": "string", "pattern": "^[a-z0-9-]{1,80}$"})
    for blp in RESOURCES:
        api.register_blueprint(blp)
    app.extensions["gf_api"] = api
    app.session_interface = auth.NoSessionUnder(PREFIX)
    errors.problem_json_under(app, PREFIX)


def spec() -> dict:
    return current_app.extensions["gf_api"].spec.to_dict()


@bp.route(f"{PREFIX}/openapi.json")
def openapi():
    """The OpenAPI 3 document of every operation (public: it describes, it holds no data)."""
    return spec()


@bp.route("/api/docs")
def docs():
    return render_template("api/docs.html", spec=spec(), methods=("get", "post", "patch", "put", "delete"))


# --- your tokens ---------------------------------------------------------------------------------------

@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def token_list():
    form = TokenForm()
    if not form.is_submitted():
        form.expires.data = current_app.config["API_TOKEN_DAYS"]
    new_token = None
    if form.validate_on_submit():
        try:
            _row, new_token = tokens.create(current_user, name=form.name.data, scope=form.scope.data,
                                            days=form.expires.data)
        except tokens.TokenError as exc:
            getattr(form, exc.field).errors.append(str(exc))
    status = 422 if form.errors else (201 if new_token else 200)
    return render_template("api/tokens.html", form=form, tokens=tokens.tokens_of(current_user),
                           new_token=new_token, scope_labels=SCOPE_LABELS), status


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = get_or_404(ApiToken, token_id, "api_token.revoke")
    tokens.revoke(token)
    flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api.token_list"))
