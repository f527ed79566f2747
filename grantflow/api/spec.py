"""The API's flask-smorest extension: the OpenAPI 3 document made from the resources' code, every
error documented as an RFC 9457 problem document, and the decorators resources share.

flask-smorest would answer every HTTP error of the whole app in its own JSON format; GrantFlow's
pages keep their HTML error pages, and the API's errors are problem documents made by
grantflow.core.errors, so this extension registers no error handler of its own.
"""
from __future__ import annotations

import http

import marshmallow as ma
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response

from grantflow.core.errors import PROBLEM_JSON
from grantflow.core.inputs import MAX_ID

PREFIX = "/api/v1"
# Errors any authenticated operation may answer.
COMMON_ERRORS = (401, 403, 404, 429)


class FieldProblemSchema(ma.Schema):
    field = ma.fields.String(required=True, metadata={"description": "The field at fault, e.g. `title` or `budget.0.amount`."})
    detail = ma.fields.String(required=True)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    instance = ma.fields.String(required=True)
    errors = ma.fields.List(ma.fields.Nested(FieldProblemSchema))


class GrantFlowApi(Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # every status an operation answers is listed, no catch-all

    def _register_error_handlers(self):
        """None: grantflow.core.errors answers the API's errors (see the module's docstring)."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)


def make_api(app) -> GrantFlowApi:
    return GrantFlowApi(app, spec_kwargs={
        "title": "GrantFlow API", "version": "1", "openapi_version": "3.0.3",
        "info": {"description": "Programs, applications, reviews, scores, decisions, letters, the equity "
                                "audit and awards' payments and reports of GrantFlow. Authenticate with a personal API token "
                                "(`Authorization: Bearer gfp_…`), made on your account's API tokens page "
                                "or with `grantflow tokens create`. A read token may only GET."},
        "servers": [{"url": "/"}],
        "security": [{"token": []}],
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                                     "description": "A personal API token (gfp_…)."}}},
    })


def errors(blp: Blueprint, *codes: int):
    """Documents the error statuses an operation answers (always 401, 403, 404 and 429)."""
    def decorate(fn):
        for code in sorted(set(COMMON_ERRORS) | set(codes), reverse=True):
            fn = blp.alt_response(code, http.HTTPStatus(code).name)(fn)
        return fn
    return decorate


def _strip_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_nul(v) for k, v in value.items()}
    return value


class InputSchema(ma.Schema):
    """What a client sends: unknown fields are refused (named), NUL characters removed (as from
    every form: PostgreSQL refuses them in text)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _clean(self, data, **kwargs):
        return _strip_nul(data)


def Id(**kwargs) -> ma.fields.Integer:  # noqa: N802 - a field factory, named like the fields
    """A row id: what an INTEGER column holds."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


def Cents(**kwargs) -> ma.fields.Integer:  # noqa: N802
    """An amount of money in whole cents."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=10**13), **kwargs)


# --- the resources' blueprints ------------------------------------------------------------------------

def resource(name: str, description: str) -> Blueprint:
    """A blueprint of API operations: token-authenticated, rate-limited, without CSRF (no cookie
    authenticates it), its input errors told field by field."""
    from grantflow.api.auth import authenticate, rate_key, rate_limit
    from grantflow.core.extensions import csrf, limiter

    blp = Blueprint(name, __name__, url_prefix=PREFIX, description=description)
    blp.before_request(authenticate)
    csrf.exempt(blp)
    limiter.limit(rate_limit, key_func=rate_key)(blp)
    for code in (400, 422):
        blp.register_error_handler(code, _input_problem)
    return blp


def _input_problem(error):
    """webargs' refusals (a body that is not JSON, a field that does not validate) as a problem
    document naming each field (``budget.0.amount_cents``)."""
    from grantflow.core.errors import problem, problem_response

    messages = (getattr(error, "data", None) or {}).get("messages")
    if not messages:
        return problem_response(error)
    fields: dict[str, str] = {}
    for location, found in messages.items():
        _flatten(found, "", fields, location)
    code = error.code or 422
    return problem_response(problem(code, "Some fields could not be accepted; nothing was saved.", fields))


def _flatten(found, path: str, out: dict[str, str], location: str) -> None:
    if isinstance(found, dict):
        for key, value in found.items():
            _flatten(value, f"{path}.{key}" if path else str(key), out, location)
    else:
        messages = found if isinstance(found, list) else [found]
        out[path or location] = " ".join(str(m) for m in messages)


def reply_problem(code: int, detail: str, fields: dict[str, str] | None = None):
    """A problem document *returned* (not raised), so the unit of work keeps what the request
    saved before it (a draft's accepted fields)."""
    from grantflow.core.errors import problem, problem_response

    return problem_response(problem(code, detail, fields))
