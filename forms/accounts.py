"""Registration, login, password reset and invitation forms."""
from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from forms.base import BaseForm
from grantflow.core import roles as R

PASSWORD_HELP = "At least 10 characters."


def _password_strength(form, field):
    value = field.data or ""
    if len(value) < 10:
        raise ValidationError("Use at least 10 characters.")
    if value.lower() == (form.email.data or "").lower():
        raise ValidationError("Your password must not be your email address.")


class RegisterForm(BaseForm):
    name = StringField("Your name", validators=[InputRequired("Enter your name."), Length(max=200)])
    email = EmailField("Email", validators=[
        InputRequired("Enter your email address."),
        Email("Enter an email address like name@example.org.", check_deliverability=False),
        Length(max=254)])
    organization_name = StringField("Organization's legal name", validators=[
        InputRequired("Enter your organization's legal name."), Length(max=200)])
    organization_kind = RadioField(
        "Your organization is", default="cbo",
        choices=[("cbo", "A community-based organization"), ("network", "A network of community-based organizations")],
        validators=[InputRequired("Choose what kind of organization you are.")])
    password = PasswordField("Password", description=PASSWORD_HELP, validators=[
        InputRequired("Choose a password."), _password_strength, Length(max=200)], raw=True)
    confirm = PasswordField("Repeat password", validators=[
        InputRequired("Repeat your password."), EqualTo("password", "The two passwords differ.")], raw=True)


class LoginForm(BaseForm):
    email = EmailField("Email", validators=[InputRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")], raw=True)
    remember = BooleanField("Keep me logged in on this device")


class ResetRequestForm(BaseForm):
    email = EmailField("Email", validators=[
        InputRequired("Enter your email address."),
        Email("Enter an email address like name@example.org.", check_deliverability=False)])


class ResetPasswordForm(BaseForm):
    email = EmailField("Email", render_kw={"readonly": True})
    password = PasswordField("New password", description=PASSWORD_HELP, validators=[
        InputRequired("Choose a password."), _password_strength], raw=True)
    confirm = PasswordField("Repeat new password", validators=[
        InputRequired("Repeat your password."), EqualTo("password", "The two passwords differ.")], raw=True)


class ChangePasswordForm(BaseForm):
    email = EmailField("Email", render_kw={"readonly": True, "autocomplete": "username"})
    current = PasswordField("Current password", validators=[InputRequired("Enter your current password.")],
                            raw=True, render_kw={"autocomplete": "current-password"})
    password = PasswordField("New password", description=PASSWORD_HELP, validators=[
        InputRequired("Choose a password."), _password_strength], raw=True,
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat new password", validators=[
        InputRequired("Repeat your password."), EqualTo("password", "The two passwords differ.")], raw=True,
        render_kw={"autocomplete": "new-password"})


class ResendVerificationForm(BaseForm):
    email = EmailField("Email", validators=[
        InputRequired("Enter your email address."),
        Email("Enter an email address like name@example.org.", check_deliverability=False)])


class InviteForm(BaseForm):
    email = EmailField("Email", validators=[
        InputRequired("Enter the person's email address."),
        Email("Enter an email address like name@example.org.", check_deliverability=False)])
    role = SelectField("Role", choices=[(r, R.LABELS[r]) for r in R.FUNDER_ROLES],
                       validators=[InputRequired("Choose a role.")])


class AcceptInviteForm(BaseForm):
    name = StringField("Your name", validators=[InputRequired("Enter your name."), Length(max=200)])
    email = EmailField("Email", render_kw={"readonly": True})
    password = PasswordField("Password", description=PASSWORD_HELP, validators=[
        InputRequired("Choose a password."), _password_strength], raw=True)
    confirm = PasswordField("Repeat password", validators=[
        InputRequired("Repeat your password."), EqualTo("password", "The two passwords differ.")], raw=True)
