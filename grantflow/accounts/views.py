"""Register (and confirm the email), log in and out, the sessions page and password change, reset a
password, invite funder staff and accept an invitation, remove someone from a funder."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from forms.accounts import (
    AcceptInviteForm, ChangePasswordForm, InviteForm, LanguageForm, LoginForm, RegisterForm, ResendVerificationForm,
    ResetPasswordForm, ResetRequestForm,
)
from grantflow.accounts import services, sessions
from grantflow.accounts.models import Membership
from grantflow.core import auditlog, i18n
from grantflow.core import outbox as ob
from grantflow.core import roles as R
from grantflow.core.auth import verify_password
from grantflow.core.db import db
from grantflow.core.extensions import limiter
from grantflow.core.mail import send_mail
from grantflow.core.urls import redirect_next
from grantflow.organizations.models import Organization
from grantflow.organizations.policy import funder_or_404

bp = Blueprint("accounts", __name__)

BAD_LOGIN = _l("That email and password do not match an account.")
def log_in(user, *, remember: bool = False) -> None:
    """Starts a server-side session for ``user`` and logs them in with it."""
    sessions.start(user, remember=remember)
    login_user(user, remember=remember)


# --- registration and email confirmation --------------------------------------------------------------

def _send_verification(user) -> None:
    link = url_for("accounts.verify", token=services.make_verify_token(user), _external=True)
    days = int(current_app.config["VERIFY_EMAIL_DAYS"])
    with i18n.in_language(services.language_of(user)):
        subject = _("Confirm your email address for GrantFlow")
        body = "\n\n".join((
            _("Hello %(name)s,", name=user.name),
            ngettext("To finish setting up your GrantFlow account, confirm your email address by opening this "
                     "link within %(num)d day:", "To finish setting up your GrantFlow account, confirm your "
                     "email address by opening this link within %(num)d days:", days) + f"\n{link}",
            _("If you did not register, ignore this message: nothing happens without the link.")))
    send_mail(user.email, subject, body, event="account.verify")


def _send_already_registered(email: str) -> None:
    user = services.find_user(email)
    with i18n.in_language(services.language_of(user) if user is not None else i18n.current_locale()):
        subject = _("Someone tried to register with your email on GrantFlow")
        body = "\n\n".join((
            _("Hello,"),
            _("Someone (perhaps you) tried to register a new GrantFlow account with this email address, which "
              "already has an account."),
            _("To log in: %(url)s", url=url_for("accounts.login", _external=True)) + "\n"
            + _("Forgot your password? %(url)s", url=url_for("accounts.reset_request", _external=True)),
            _("If it was not you, you need not do anything.")))
    send_mail(email, subject, body, event="account.register_existing")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = services.register_applicant(
            name=form.name.data, email=form.email.data, password=form.password.data,
            organization_name=form.organization_name.data, organization_kind=form.organization_kind.data)
        if user is None:
            _send_already_registered(services.normalize_email(form.email.data))
        else:
            _send_verification(user)
        # The same answer whether or not the email already had an account.
        return _check_email(services.normalize_email(form.email.data))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


def _check_email(email: str, status: int = 200):
    return render_template("accounts/check_email.html", email=email,
                           form=ResendVerificationForm(formdata=None, email=email)), status


@bp.route("/verify/<token>")
def verify(token: str):
    user = services.user_for_verify_token(token)
    if user is None:
        flash(_("That confirmation link has expired or is not valid. Ask for a new one."), "error")
        return redirect(url_for("accounts.resend_verification"))
    services.verify_email(user)
    if current_user.is_authenticated:
        logout_user()
    log_in(user)
    flash(_("Your email address is confirmed. Welcome to GrantFlow."), "success")
    return redirect(url_for("core.dashboard"))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])
def resend_verification():
    form = ResendVerificationForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        if user is not None and user.active and user.email_verified_at is None:
            _send_verification(user)
        return _check_email(services.normalize_email(form.email.data))
    return render_template("accounts/check_email.html", email=None, form=form), 422 if form.errors else 200


# --- logging in and out --------------------------------------------------------------------------------

def _failed_login(response) -> bool:
    return response.status_code == 422


def _login_email() -> str:
    return "login:" + services.normalize_email(request.form.get("email", ""))[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], key_func=_login_email,
               methods=["POST"], deduct_when=_failed_login)
def login():
    """Only failed attempts count against the limits: per account (so guessing one account's
    password from many addresses stops quickly) and, more loosely, per address (people behind one
    office's address are not locked out by one person's typos)."""
    if current_user.is_authenticated:
        return redirect_next()
    form = LoginForm()
    unverified = False
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.Unverified as exc:
            form.email.errors.append(str(exc))
            unverified = True
        else:
            if user is not None:
                log_in(user, remember=form.remember.data)
                return redirect_next()
            form.password.errors.append(BAD_LOGIN)
            form.email.errors.append(BAD_LOGIN)
    status = 422 if form.errors else 200
    return render_template("accounts/login.html", form=form, unverified=unverified), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Ends this session on the server, so neither its cookie nor its remember-me token opens
    anything again; "everywhere" ends every session of the account."""
    if current_user.is_authenticated:
        if request.form.get("everywhere"):
            sessions.end_all(current_user.id, "logged out everywhere")
        else:
            row = db.session.get(sessions.UserSession, current_user.session_id)
            if row is not None:
                sessions.end(row, "logged out")
        logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("programs.home"))


# --- the interface language -------------------------------------------------------------------------

@bp.route("/language", methods=["POST"])
def set_language():
    """Saves the chosen language: on the account of someone signed in, else in a cookie; then back
    to the page the selector was on."""
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the languages offered."), "error")
        return redirect_next("programs.home")
    response = redirect_next("programs.home")
    if current_user.is_authenticated:
        current_user.locale = form.locale.data
    else:
        response.set_cookie(i18n.COOKIE, form.locale.data, max_age=i18n.COOKIE_DAYS * 24 * 3600,
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
                            samesite="Lax")
    return response


# --- the account page: sessions and password ------------------------------------------------------------

@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm(email=current_user.email)
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            sessions.keep_current_on_password_change()
            services.set_password(current_user, form.password.data, action="account.password_change")
            flash(_("Your password is changed. You were logged out everywhere else."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, sessions=sessions.active_sessions(current_user.id),
                           current_id=current_user.session_id), 422 if form.errors else 200


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    row = db.session.get(sessions.UserSession, session_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    sessions.end(row, "ended by the user")
    if row.id == current_user.session_id:
        logout_user()
        flash(_("You are logged out."), "info")
        return redirect(url_for("programs.home"))
    flash(_("That session is ended."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    n = sessions.end_all(current_user.id, "ended by the user", keep=current_user.session_id)
    flash(ngettext("Ended %(num)d other session.", "Ended %(num)d other sessions.", n), "success")
    return redirect(url_for("accounts.account"))


# --- password reset ---------------------------------------------------------------------------------------

@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        if user is not None and user.active:
            link = url_for("accounts.reset_password", token=services.make_reset_token(user), _external=True)
            with i18n.in_language(services.language_of(user)):
                subject = _("Reset your GrantFlow password")
                body = "\n\n".join((
                    _("Someone asked to reset the password of your GrantFlow account."),
                    _("To choose a new password, open this link within an hour:") + f"\n{link}",
                    _("If it was not you, ignore this message.")))
            send_mail(user.email, subject, body, event="account.reset")
        # The same answer whether or not the email has an account.
        flash(_("If that email has an account, a reset link is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("That reset link has expired or was already used. Ask for a new one."), "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm(email=user.email)
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password is changed, and every session of your account has ended. "
              "Log in with the new password."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


# --- a funder's people ---------------------------------------------------------------------------------

def _funder(slug: str) -> Organization:
    return funder_or_404(slug, "funder.admin")


@bp.route("/funders/<slug>/people", methods=["GET", "POST"])
@login_required
def people(slug: str):
    funder = _funder(slug)
    form = InviteForm()
    if form.validate_on_submit():
        inv, token = services.invite(funder, form.email.data, form.role.data, current_user)
        link = url_for("accounts.accept_invitation", token=token, _external=True)
        # The invitee has no account yet, maybe: the funder's language, else the inviter's.
        with i18n.in_language(funder.language or i18n.current_locale()):
            subject = _("You are invited to %(funder)s on GrantFlow", funder=funder.name)
            body = (_("%(name)s invited you to join %(funder)s on GrantFlow as %(role)s.", name=current_user.name,
                      funder=funder.name, role=str(R.LABELS[inv.role]).lower())
                    + "\n\n" + _("Accept the invitation here:") + f"\n{link}\n")
        send_mail(inv.email, subject, body, event="invitation.create", funder_id=funder.id)
        flash(_("Invitation sent to %(email)s.", email=inv.email), "success")
        return redirect(url_for("accounts.people", slug=slug))
    members = sorted(funder.memberships, key=lambda m: (m.role, m.user.name))
    return render_template("accounts/people.html", funder=funder, form=form, members=members), \
        422 if form.errors else 200


@bp.route("/funders/<slug>/people/<int:membership_id>/remove", methods=["POST"])
@login_required
def remove_member(slug: str, membership_id: int):
    """Takes one role away; the person's sessions end with it (accounts/sessions.py)."""
    funder = _funder(slug)
    membership = db.session.execute(select(Membership).where(
        Membership.id == membership_id, Membership.organization_id == funder.id)).scalar_one_or_none()
    if membership is None:
        abort(404)
    if membership.user_id == current_user.id and membership.role == R.FUNDER_ADMIN:
        flash(_("You cannot remove your own administrator role. Ask another administrator."), "error")
        return redirect(url_for("accounts.people", slug=slug))
    auditlog.record("membership.remove", membership, before={"user_id": membership.user_id, "role": membership.role})
    name, role = membership.user.name, R.LABELS[membership.role].lower()
    db.session.delete(membership)
    db.session.flush()
    flash(_("%(name)s is no longer %(role)s at %(funder)s.", name=name, role=role, funder=funder.name), "success")
    return redirect(url_for("accounts.people", slug=slug))


MESSAGES_PAGE = 100


@bp.route("/funders/<slug>/messages")
@login_required
def messages(slug: str):
    """What GrantFlow sent (or tried to send) on the funder's behalf, newest first."""
    funder = _funder(slug)
    status = request.args.get("status") or None
    query = select(ob.OutboxMessage).where(ob.OutboxMessage.funder_id == funder.id)
    if status in ob.STATUS_LABELS:
        query = query.where(ob.OutboxMessage.status == status)
    rows = db.session.execute(query.order_by(ob.OutboxMessage.id.desc()).limit(MESSAGES_PAGE)).scalars().all()
    return render_template("accounts/messages.html", funder=funder, messages=rows, status=status,
                           labels=ob.STATUS_LABELS, resendable=ob.RESENDABLE, page_size=MESSAGES_PAGE)


@bp.route("/funders/<slug>/messages/<int:message_id>/send-again", methods=["POST"])
@login_required
def send_message_again(slug: str, message_id: int):
    funder = _funder(slug)
    message = db.session.execute(select(ob.OutboxMessage).where(
        ob.OutboxMessage.id == message_id, ob.OutboxMessage.funder_id == funder.id)).scalar_one_or_none()
    if message is None:
        abort(404)
    try:
        ob.send_again(message)
    except ValueError as exc:
        flash(str(exc), "error")
    else:
        auditlog.record("outbox.send_again", message, after={"recipient": message.recipient})
        flash(_("The message to %(email)s will be sent again.", email=message.recipient), "success")
    return redirect(url_for("accounts.messages", slug=slug))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Accepting needs an account with the invited address: a new one made here (the link reached
    the address, which confirms it) or an existing one, logged in. Anyone logged in as another
    account is refused, so an invitation never lands on the wrong person."""
    inv = services.invitation_for_token(token)
    if inv is None:
        abort(404, _("This invitation has expired, was withdrawn or was already used. Ask the person who "
                     "invited you for a new one."))
    if current_user.is_authenticated and services.normalize_email(current_user.email) != inv.email:
        abort(403, _("This invitation is for %(email)s, but you are logged in as %(current)s. Log out, then open "
                     "the link again and log in (or create an account) as %(email)s.",
                     email=inv.email, current=current_user.email))
    existing = services.find_user(inv.email)
    form = AcceptInviteForm(email=inv.email)
    if existing is not None:
        # Someone with an account accepts by logging in as that account.
        if current_user.is_authenticated and current_user.id == existing.id:
            if request.method == "POST":
                services.accept_invitation(inv, name=existing.name, password="", user=existing)
                flash(_("You joined %(name)s as %(role)s.", name=inv.organization.name, role=inv.role_label.lower()),
                      "success")
                return redirect(url_for("core.dashboard"))
            return render_template("accounts/accept_existing.html", inv=inv)
        flash(_("You already have an account: log in, then open the invitation link again."), "info")
        return redirect(url_for("accounts.login", next=request.path))
    if form.validate_on_submit():
        user = services.accept_invitation(inv, name=form.name.data, password=form.password.data)
        db.session.flush()
        log_in(user)
        flash(_("Welcome. You joined %(name)s.", name=inv.organization.name), "success")
        return redirect(url_for("core.dashboard"))
    return render_template("accounts/accept.html", form=form, inv=inv), 422 if form.errors else 200
