"""Registration, login, password reset and invitation forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from forms.base import BaseForm
from grantflow.core import roles as R
from grantflow.core.i18n import language_choices

PASSWORD_HELP = _l("At least 10 characters.")


def _password_strength(form, field):
    value = field.data or ""
    if len(value) < 10:
        raise ValidationError(_l("Use at least 10 characters."))
    if value.lower() == (form.email.data or "").lower():
        raise ValidationError(_l("Your password must not be your email address."))


class RegisterForm(BaseForm):
    name = StringField(_l("Your name"), validators=[InputRequired(_l("Enter your name.")), Length(max=200)])
    email = EmailField(_l("Email"), validators=[
        InputRequired(_l("Enter your email address.")),
        Email(_l("Enter an email address like name@example.org."), check_deliverability=False),
        Length(max=254)])
    organization_name = StringField(_l("Organization's legal name"), validators=[
        InputRequired(_l("Enter your organization's legal name.")), Length(max=200)])
    organization_kind = RadioField(
        _l("Your organization is"), default="cbo",
        choices=[("cbo", _l("A community-based organization")), ("network", _l("A network of community-based organizations"))],
        validators=[InputRequired(_l("Choose what kind of organization you are."))])
    password = PasswordField(_l("Password"), description=PASSWORD_HELP, validators=[
        InputRequired(_l("Choose a password.")), _password_strength, Length(max=200)], raw=True)
    confirm = PasswordField(_l("Repeat password"), validators=[
        InputRequired(_l("Repeat your password.")), EqualTo("password", _l("The two passwords differ."))], raw=True)


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[InputRequired(_l("Enter your email address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))], raw=True)
    remember = BooleanField(_l("Keep me logged in on this device"))


class ResetRequestForm(BaseForm):
    email = EmailField(_l("Email"), validators=[
        InputRequired(_l("Enter your email address.")),
        Email(_l("Enter an email address like name@example.org."), check_deliverability=False)])


class ResetPasswordForm(BaseForm):
    email = EmailField(_l("Email"), render_kw={"readonly": True})
    password = PasswordField(_l("New password"), description=PASSWORD_HELP, validators=[
        InputRequired(_l("Choose a password.")), _password_strength], raw=True)
    confirm = PasswordField(_l("Repeat new password"), validators=[
        InputRequired(_l("Repeat your password.")), EqualTo("password", _l("The two passwords differ."))], raw=True)


class ChangePasswordForm(BaseForm):
    email = EmailField(_l("Email"), render_kw={"readonly": True, "autocomplete": "username"})
    current = PasswordField(_l("Current password"), validators=[InputRequired(_l("Enter your current password."))],
                            raw=True, render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), description=PASSWORD_HELP, validators=[
        InputRequired(_l("Choose a password.")), _password_strength], raw=True,
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat new password"), validators=[
        InputRequired(_l("Repeat your password.")), EqualTo("password", _l("The two passwords differ."))], raw=True,
        render_kw={"autocomplete": "new-password"})


class ResendVerificationForm(BaseForm):
    email = EmailField(_l("Email"), validators=[
        InputRequired(_l("Enter your email address.")),
        Email(_l("Enter an email address like name@example.org."), check_deliverability=False)])


class InviteForm(BaseForm):
    email = EmailField(_l("Email"), validators=[
        InputRequired(_l("Enter the person's email address.")),
        Email(_l("Enter an email address like name@example.org."), check_deliverability=False)])
    role = SelectField(_l("Role"), choices=[(r, R.LABELS[r]) for r in R.FUNDER_ROLES],
                       validators=[InputRequired(_l("Choose a role."))])


class AcceptInviteForm(BaseForm):
    name = StringField(_l("Your name"), validators=[InputRequired(_l("Enter your name.")), Length(max=200)])
    email = EmailField(_l("Email"), render_kw={"readonly": True})
    password = PasswordField(_l("Password"), description=PASSWORD_HELP, validators=[
        InputRequired(_l("Choose a password.")), _password_strength], raw=True)
    confirm = PasswordField(_l("Repeat password"), validators=[
        InputRequired(_l("Repeat your password.")), EqualTo("password", _l("The two passwords differ."))], raw=True)


class LanguageForm(BaseForm):
    """The interface language, from the selector on every page or the account page; `next` is
    where to go back to (checked by grantflow.core.urls)."""
    locale = SelectField(_l("Language"), validators=[InputRequired()])
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
