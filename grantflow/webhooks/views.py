"""A funder admin's webhooks: register an endpoint and its events, see its secret and every
delivery with the endpoint's answers, remove it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.webhooks import EndpointForm
from grantflow.core import outbox
from grantflow.core.policy import get_or_404
from grantflow.organizations.models import Organization
from grantflow.organizations.policy import funder_or_404
from grantflow.webhooks import services
from grantflow.webhooks.models import EVENTS, WebhookEndpoint

bp = Blueprint("webhooks", __name__)


def _funder(slug: str) -> Organization:
    return funder_or_404(slug, "funder.admin")


def _endpoint(funder: Organization, endpoint_id: int) -> WebhookEndpoint:
    endpoint = get_or_404(WebhookEndpoint, endpoint_id, "webhook.manage")
    if endpoint.funder_id != funder.id:
        abort(404)
    return endpoint


@bp.route("/funders/<slug>/webhooks", methods=["GET", "POST"])
@login_required
def endpoints(slug: str):
    funder = _funder(slug)
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint = services.register(funder, url=form.url.data, events=form.events.data,
                                         description=form.description.data, user=current_user)
        except services.WebhookError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            flash(_("The endpoint is registered. Give its signing secret to the system that receives it."), "success")
            return redirect(url_for("webhooks.endpoint", slug=slug, endpoint_id=endpoint.id))
    return render_template("webhooks/endpoints.html", funder=funder, form=form, events=EVENTS,
                           endpoints=services.endpoints_of(funder.id)), 422 if form.errors else 200


@bp.route("/funders/<slug>/webhooks/<int:endpoint_id>")
@login_required
def endpoint(slug: str, endpoint_id: int):
    funder = _funder(slug)
    endpoint = _endpoint(funder, endpoint_id)
    return render_template("webhooks/endpoint.html", funder=funder, endpoint=endpoint, events=EVENTS,
                           deliveries=services.deliveries(endpoint), labels=outbox.STATUS_LABELS)


@bp.route("/funders/<slug>/webhooks/<int:endpoint_id>/remove", methods=["POST"])
@login_required
def remove(slug: str, endpoint_id: int):
    """Stops deliveries to it (kept, with its history, but no longer sent to)."""
    funder = _funder(slug)
    endpoint = _endpoint(funder, endpoint_id)
    endpoint.active = False
    flash(_("No more events are sent to %(url)s.", url=endpoint.url), "success")
    return redirect(url_for("webhooks.endpoints", slug=slug))
