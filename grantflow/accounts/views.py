"""Register, log in and out, reset a password, invite funder staff and accept an invitation."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from forms.accounts import (
    AcceptInviteForm, InviteForm, LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm,
)
from grantflow.accounts import services
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.extensions import limiter
from grantflow.core.mail import send_mail
from grantflow.core.policy import authorize
from grantflow.core.urls import redirect_next
from grantflow.organizations.models import Organization

bp = Blueprint("accounts", __name__)

BAD_LOGIN = "That email and password do not match an account."


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_applicant(
                name=form.name.data, email=form.email.data, password=form.password.data,
                organization_name=form.organization_name.data,
                organization_kind=form.organization_kind.data)
        except services.AccountError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            login_user(user)
            flash("Welcome to GrantFlow. Your organization's account is ready.", "success")
            return redirect(url_for("core.dashboard"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect_next()
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect_next()
        form.password.errors.append(BAD_LOGIN)
        form.email.errors.append(BAD_LOGIN)
    status = 422 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("programs.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        if user is not None and user.active:
            link = url_for("accounts.reset_password", token=services.make_reset_token(user), _external=True)
            send_mail(user.email, "Reset your GrantFlow password",
                      f"Someone asked to reset the password of your GrantFlow account.\n\n"
                      f"To choose a new password, open this link within an hour:\n{link}\n\n"
                      f"If it was not you, ignore this message.")
        # The same answer whether or not the email has an account.
        flash("If that email has an account, a reset link is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash("That reset link has expired or was already used. Ask for a new one.", "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm(email=user.email)
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/funders/<slug>/people", methods=["GET", "POST"])
@login_required
def people(slug: str):
    funder = db.first_or_404(db.select(Organization).where(Organization.slug == slug, Organization.kind == "funder"))
    authorize("funder.admin", funder)
    form = InviteForm()
    if form.validate_on_submit():
        inv, token = services.invite(funder, form.email.data, form.role.data, current_user)
        link = url_for("accounts.accept_invitation", token=token, _external=True)
        send_mail(inv.email, f"You are invited to {funder.name} on GrantFlow",
                  f"{current_user.name} invited you to join {funder.name} on GrantFlow as "
                  f"{R.LABELS[inv.role].lower()}.\n\nAccept the invitation here:\n{link}\n")
        flash(f"Invitation sent to {inv.email}.", "success")
        return redirect(url_for("accounts.people", slug=slug))
    members = sorted(funder.memberships, key=lambda m: (m.role, m.user.name))
    return render_template("accounts/people.html", funder=funder, form=form, members=members), \
        422 if form.errors else 200


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    inv = services.invitation_for_token(token)
    if inv is None:
        abort(404, "This invitation has expired or was already used.")
    existing = services.find_user(inv.email)
    form = AcceptInviteForm(email=inv.email)
    if existing is not None:
        # Someone with an account accepts by logging in as that account.
        if current_user.is_authenticated and current_user.id == existing.id:
            if request.method == "POST":
                services.accept_invitation(inv, name=existing.name, password="", user=existing)
                flash(f"You joined {inv.organization.name}.", "success")
                return redirect(url_for("core.dashboard"))
            return render_template("accounts/accept_existing.html", inv=inv)
        flash("You already have an account: log in, then open the invitation link again.", "info")
        return redirect(url_for("accounts.login", next=request.path))
    if form.validate_on_submit():
        user = services.accept_invitation(inv, name=form.name.data, password=form.password.data)
        db.session.commit()
        login_user(user)
        flash(f"Welcome. You joined {inv.organization.name}.", "success")
        return redirect(url_for("core.dashboard"))
    return render_template("accounts/accept.html", form=form, inv=inv), 422 if form.errors else 200
