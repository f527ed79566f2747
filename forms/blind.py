"""Forms of blind review: a term the applicant hides, the reviewer's program-wide conflict
declaration, "I think I know who this is", and the officer's word on a file that needs a check."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from forms.base import BaseForm
from forms.fields import MultiCheckboxField


class TermForm(BaseForm):
    text = StringField(_l("A name or word to hide from reviewers"),
                       description=_l("For example a project or building name, a partner, a nickname, a phone number."),
                       validators=[Length(max=200, message=_l("Keep a term under 200 characters."))])


class DeclarationForm(BaseForm):
    conflicts = MultiCheckboxField(
        _l("Organizations you have a conflict of interest with"), coerce=int, validators=[Optional()],
        description=_l("You work for, volunteer with, sit on the board of, advise, or are close to someone at it. "
                       "Leave all unchecked if you have none."))
    affiliations = TextAreaField(
        _l("Your affiliations (optional)"),
        description=_l("Organizations you work for, volunteer with or sit on the board of, one per line. They are "
                       "matched against every applicant, including later ones."),
        validators=[Length(max=2000, message=_l("Keep your affiliations under 2,000 characters."))])


class RecognizeForm(BaseForm):
    note = TextAreaField(_l("What makes you think so (optional)"),
                         description=_l("Only the program officers read this."),
                         validators=[Length(max=2000, message=_l("Keep the note under 2,000 characters."))])


class ReleaseForm(BaseForm):
    decision = RadioField(_l("Reviewers may"), choices=[("show", _l("read the redacted copy")),
                                                    ("withhold", _l("not have this file"))],
                          validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.decision.data not in ("show", "withhold"):
            self.decision.errors = list(self.decision.errors or []) + [_("Choose whether reviewers get this file.")]
            ok = False
        return ok
