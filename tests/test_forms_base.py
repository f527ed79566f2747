"""The base form strips text fields but keeps `raw=True` fields (passwords) exactly as typed,
on every instance, not only the first."""
from __future__ import annotations

import html

from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField

from forms.base import BaseForm


class _Form(BaseForm):
    name = StringField("Name")
    secret = PasswordField("Secret", raw=True)


def test_strip_and_raw_hold_for_every_instance(app):
    with app.test_request_context():
        for _ in range(3):
            form = _Form(formdata=MultiDict({"name": "  Ana  ", "secret": " pw "}))
            assert form.name.data == "Ana"
            assert form.secret.data == " pw "


def test_a_required_text_of_only_spaces_is_refused_and_kept_as_typed(app):
    """Found by hand: a legal name, a program title, a criterion label of spaces (or of an invisible
    zero-width space) passed `InputRequired`, which looks at what was typed, and was saved empty."""
    from wtforms.validators import InputRequired, Length

    class Named(BaseForm):
        name = StringField("Name", validators=[InputRequired("Enter a name."), Length(max=20)])
        nickname = StringField("Nickname")

    with app.test_request_context():
        for typed in ("   ", "\u200b", " \u00a0\t ", "\ufeff \u200b"):
            form = Named(formdata=MultiDict({"name": typed}), meta={"csrf": False})
            assert not form.validate()
            assert form.name.errors == ["Enter a name."]
            assert form.name.raw_data == [typed]
        form = Named(formdata=MultiDict({"name": " \u200bAna\u200b ", "nickname": "\u200b"}), meta={"csrf": False})
        assert form.validate() and form.name.data == "Ana" and form.nickname.data == ""


def test_a_name_of_spaces_is_not_saved_on_the_profile(app, login):
    from grantflow.core import roles as R
    from grantflow.core.db import db, separate_session
    from grantflow.organizations.models import Organization
    from tests import factories as F

    org = F.cbo(name="Eastside Tenants Union", slug="eastside")
    user = F.user("dana@eastside.org", org=org, role=R.APPLICANT)
    db.session.commit()
    r = login(user).post("/organizations/eastside/profile", data={"name": "   "})
    assert r.status_code == 422 and "Enter your organization's legal name." in html.unescape(r.get_data(as_text=True))
    with separate_session() as s:
        assert s.get(Organization, org.id).name == "Eastside Tenants Union"
