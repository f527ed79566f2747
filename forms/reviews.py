"""Forms of the review area: the conflict declaration, the review itself (built from the rubric
version of the application) and the program officer's hand assignment.

The review form is built per request, so its criteria's labels, guidance and anchors are the
funder's in the reader's language where it gave them, else its own marked `lang`
(grantflow/core/translations.py); the choices' values stay the scores."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from forms.base import BaseForm
from forms.fields import MultiCheckboxField
from grantflow.core.translations import localized, sentence
from grantflow.programs.models import anchor_field

NO_CONFLICT = "none"
CONFLICT = "conflict"


class ConflictForm(BaseForm):
    answer = RadioField(
        _l("Do you have a conflict of interest with this application?"),
        choices=[(NO_CONFLICT, _l("I have no conflict of interest with this applicant")),
                 (CONFLICT, _l("I have a conflict of interest and recuse myself"))],
        description=_l("For example: you work for, volunteer with, sit on the board of, or are close to "
                       "someone at the applicant organization or a network it belongs to."),
        validators=[Optional()])
    reason = TextAreaField(_l("If you have a conflict, describe it"), validators=[Length(max=2000)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.answer.data not in (NO_CONFLICT, CONFLICT):
            self.answer.errors = list(self.answer.errors or []) + [
                _("Confirm you have no conflict, or declare one.")]
            ok = False
        elif self.answer.data == CONFLICT and not (self.reason.data or "").strip():
            self.reason.errors = list(self.reason.errors or []) + [_("Describe the conflict of interest.")]
            ok = False
        return ok


def criterion_field_name(criterion_id: int) -> str:
    return f"criterion_{criterion_id}"


def scale_choices(criterion) -> list[tuple[str, str | Markup]]:
    anchors = criterion.anchors or {}
    choices = []
    for k in range(criterion.scale_min, criterion.scale_max + 1):
        if (anchors.get(str(k)) or "").strip():
            anchor = localized(criterion, anchor_field(k))
            choices.append((str(k), sentence(_("%(score)s — %(anchor)s"), score=k, anchor=anchor.marked)))
        else:
            choices.append((str(k), str(k)))
    return choices


def review_form_class(rubric):
    """A form class with one radio group per criterion of `rubric`, in the rubric's order."""

    class ReviewForm(BaseForm):
        comment_to_applicant = TextAreaField(
            _l("Comment for the applicant"),
            description=_l("Shared with the applicant once decisions are released. Be specific and kind."),
            validators=[Length(max=10000, message=_l("Keep the comment under 10,000 characters."))])
        private_comment = TextAreaField(
            _l("Private comment for the funder"),
            description=_l("Only the funder's staff see this."),
            validators=[Length(max=10000, message=_l("Keep the comment under 10,000 characters."))])
        save = SubmitField(_l("Save draft"))
        submit = SubmitField(_l("Submit review"))

        criteria = list(rubric.criteria)

        def criterion_fields(self):
            return [(c, self[criterion_field_name(c.id)]) for c in self.criteria]

        def scores(self) -> dict[int, int | None]:
            out = {}
            for c, f in self.criterion_fields():
                out[c.id] = int(f.data) if f.data not in (None, "", "None") else None
            return out

        def validate_for_submit(self, *, submitted: bool = False) -> bool:
            """Every criterion scored (`submitted`: a change to a review already submitted, which
            cannot go back to being a draft)."""
            ok = True
            for c, f in self.criterion_fields():
                if f.data in (None, "", "None"):
                    message = (_("Choose a score for “%(criterion)s”: a submitted review scores every criterion.")
                               if submitted else
                               _("Choose a score for “%(criterion)s”, or save the review as a draft."))
                    f.errors = list(f.errors or []) + [sentence(message, criterion=localized(c, "label").marked)]
                    ok = False
            return ok

    for c in rubric.criteria:
        guidance = localized(c, "guidance")
        setattr(ReviewForm, criterion_field_name(c.id), RadioField(
            localized(c, "label").marked, choices=scale_choices(c),
            description=guidance.marked if guidance.text else None, validators=[Optional()], validate_choice=True))
    return ReviewForm


class AssignForm(BaseForm):
    reviewers = MultiCheckboxField(_l("Reviewers to add"), coerce=int, validators=[Optional()])
