"""Forms of the program officer's pages: the program, rubric criteria and custom questions.

Amounts are typed in dollars and held in cents (`MoneyField.data`); date-times are typed in the
program's time zone (the view converts them to UTC). Cross-field rules (min ≤ max ≤ budget, dates in
order) put their message on the field that has to change, and every typed value is kept.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from forms.base import BaseForm
from forms.fields import DecimalNumberField, LocalDateTimeField, MoneyField, PlainDateField, WholeNumberField
from grantflow.core.i18n import SOURCE_LOCALE, format_number
from grantflow.core import translations
from grantflow.core.timeutil import from_local, timezone_choices, to_local
from grantflow.programs.models import QUESTION_KINDS
from grantflow.programs.questions import KIND_LABELS


def _exists_in_zone(form, field):
    """A wall-clock time skipped by a daylight-saving change (e.g. 02:30 on the spring-forward night)."""
    if field.data is None:
        return
    tz = form.timezone.data or "UTC"
    local = to_local(from_local(field.data, tz), tz)
    if local.replace(tzinfo=None) != field.data:
        raise ValidationError(_("%(time)s does not exist in %(zone)s (the clocks change that night); "
                                "choose another time.", time=format(field.data, "%Y-%m-%d %H:%M"), zone=tz))


def _after(*rules: tuple[str, str]):
    """The field must come after the first of the named earlier fields that has a value."""
    def check(form, field):
        for other, message in rules:
            earlier = form[other].data
            if earlier is not None:
                if field.data is not None and not field.data > earlier:
                    raise ValidationError(message)
                return
    return check


class ProgramForm(BaseForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the program a title.")),
                                             Length(max=200, message=_l("Use at most 200 characters."))])
    description = TextAreaField(_l("Description for applicants"), validators=[
        Optional(), Length(max=20_000, message=_l("Use at most 20,000 characters."))])
    timezone = SelectField(_l("Time zone of the program's dates"), default="America/New_York",
                           validators=[InputRequired(_l("Choose a time zone."))])
    budget_cents = MoneyField(_l("Total budget ($)"), validators=[InputRequired(_l("Enter the total budget in dollars."))])
    min_award_cents = MoneyField(_l("Minimum award ($)"), default=0, validators=[Optional()])
    max_award_cents = MoneyField(_l("Maximum award ($)"), validators=[InputRequired(_l("Enter the maximum award in dollars."))])
    opens_at = LocalDateTimeField(_l("Applications open"), validators=[Optional(), _exists_in_zone],
                                  description=_l("In the program's time zone."))
    closes_at = LocalDateTimeField(_l("Applications close"), validators=[
        Optional(), _exists_in_zone, _after(("opens_at", _l("The close must come after the open.")))],
        description=_l("In the program's time zone. Submissions are refused after this time."))
    review_ends_at = LocalDateTimeField(_l("Review ends"), validators=[
        Optional(), _exists_in_zone, _after(("closes_at", _l("Review must end after applications close.")),
                                 ("opens_at", _l("Review must end after applications open.")))])
    decisions_release_at = LocalDateTimeField(_l("Decisions released"), validators=[
        Optional(), _exists_in_zone, _after(
            ("review_ends_at", _l("Decisions must be released after review ends.")),
            ("closes_at", _l("Decisions must be released after applications close.")))],
        description=_l("The planned release date: a release scheduled on the release page happens at this time."))
    grant_start = PlainDateField(_l("Grant period starts"), validators=[Optional()])
    grant_end = PlainDateField(_l("Grant period ends"), validators=[
        Optional(), _after(("grant_start", _l("The grant period must end after it starts.")))])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200, message=_l("Use at most 200 characters."))])
    contact_email = EmailField(_l("Contact email"), validators=[
        Optional(), Email(_l("Enter an email address like name@example.org."), check_deliverability=False),
        Length(max=254, message=_l("Use at most 254 characters."))])
    require_tax_exempt_or_sponsor = BooleanField(_l("Applicants must be tax-exempt or have a fiscal sponsor"), default=True)
    max_applicant_budget_cents = MoneyField(_l("Applicant's annual budget ceiling ($)"), validators=[Optional()],
                                            description=_l("Leave empty for no ceiling."))
    require_service_area_in_region = BooleanField(_l("Applicants must serve places inside the funder's region"), default=True)
    blind_review = BooleanField(_l("Blind review (reviewers do not see who applied)"))
    blind_review_reason = TextAreaField(
        _l("Why blind review changes now"), validators=[Optional(), Length(max=2000, message=_l("Use at most 2,000 characters."))],
        description=_l("Asked only once reviews have begun; recorded, and noted in the equity audit."))
    reviewers_see_others = BooleanField(_l("Reviewers see each other's scores after submitting their own"))
    reviewers_per_application = WholeNumberField(_l("Reviewers per application"), default=3, validators=[
        InputRequired(_l("Enter how many reviewers read each application.")),
        NumberRange(1, 20, _l("Enter a number from 1 to 20."))])
    normalize_scores = BooleanField(_l("Normalize reviewers' scores (adjust for lenient and strict reviewers)"))
    share_rule_explanations = BooleanField(_l("Show applicants how their score was reached once decisions are out"),
                                           default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [(z, z.replace("_", " ")) for z in timezone_choices()]

    def validate_min_award_cents(self, field):
        if field.data is not None and self.max_award_cents.data is not None and field.data > self.max_award_cents.data:
            raise ValidationError(_("The minimum award must not be larger than the maximum award."))

    def validate_max_award_cents(self, field):
        if field.data is not None and self.budget_cents.data is not None and field.data > self.budget_cents.data:
            raise ValidationError(_("The maximum award must not be larger than the total budget."))
        if field.data is not None and field.data <= 0:
            raise ValidationError(_("Enter a maximum award above zero."))


class CriterionForm(BaseForm):
    label = StringField(_l("Criterion"), validators=[InputRequired(_l("Name the criterion.")),
                                                 Length(max=200, message=_l("Use at most 200 characters."))])
    guidance = TextAreaField(_l("Guidance for reviewers"), validators=[
        Optional(), Length(max=5000, message=_l("Use at most 5,000 characters."))])
    weight = DecimalNumberField(_l("Weight"), default=Decimal(1), max_places=3, validators=[
        InputRequired(_l("Enter a weight, like 1 or 2.5.")),
        NumberRange(Decimal(0), Decimal(1000), _l("Enter a weight from 0 to 1000."))],
        description=_l("Relative importance; shown as a share of the total."))
    scale_min = WholeNumberField(_l("Lowest score"), default=1, validators=[
        InputRequired(_l("Enter the lowest score.")), NumberRange(0, 10, _l("Enter a whole number from 0 to 10."))])
    scale_max = WholeNumberField(_l("Highest score"), default=5, validators=[
        InputRequired(_l("Enter the highest score.")), NumberRange(1, 10, _l("Enter a whole number from 1 to 10."))])
    anchors = TextAreaField(_l("What each score means"), validators=[
        Optional(), Length(max=10_000, message=_l("Use at most 10,000 characters."))],
        description=_l("One line per score, lowest first (e.g. for 1–5, five lines). Leave empty for none."))

    def validate_scale_max(self, field):
        if field.data is not None and self.scale_min.data is not None and field.data <= self.scale_min.data:
            raise ValidationError(_("The highest score must be above the lowest score."))

    def validate_anchors(self, field):
        lines = anchor_lines(field.data)
        if not lines or self.scale_min.data is None or self.scale_max.data is None:
            return
        n = self.scale_max.data - self.scale_min.data + 1
        if n > 0 and len(lines) != n:
            raise ValidationError(ngettext(
                "Your scale has %(num)d scores (%(low)s–%(high)s); write %(num)d lines, one per score "
                "(you wrote %(written)s).",
                "Your scale has %(num)d scores (%(low)s–%(high)s); write %(num)d lines, one per score "
                "(you wrote %(written)s).", n, low=self.scale_min.data, high=self.scale_max.data,
                written=len(lines)))
        if any(len(line) > 500 for line in lines):
            raise ValidationError(_("Keep each line to 500 characters."))

    def anchors_dict(self) -> dict[str, str]:
        lines = anchor_lines(self.anchors.data)
        return {str(self.scale_min.data + i): line for i, line in enumerate(lines)}


def anchor_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def anchors_text(criterion) -> str:
    anchors = criterion.anchors or {}
    return "\n".join(anchors.get(str(n), "") for n in range(criterion.scale_min, criterion.scale_max + 1)
                     if anchors.get(str(n)))


QUESTION_LIMIT = Decimal(10**12 - 1)
QUESTION_LIMIT_MESSAGE = _l("Enter a number from %(low)s to %(high)s.", low=format(-QUESTION_LIMIT, ","),
                            high=format(QUESTION_LIMIT, ","))


class QuestionForm(BaseForm):
    label = StringField(_l("Question"), validators=[InputRequired(_l("Write the question.")),
                                                Length(max=300, message=_l("Use at most 300 characters."))])
    help_text = TextAreaField(_l("Help text for applicants"), validators=[
        Optional(), Length(max=2000, message=_l("Use at most 2,000 characters."))])
    kind = SelectField(_l("Kind of answer"), choices=[(k, KIND_LABELS[k]) for k in QUESTION_KINDS],
                       validators=[InputRequired(_l("Choose the kind of answer."))])
    required = BooleanField(_l("Applicants must answer"))
    options = TextAreaField(_l("Choices"), validators=[Optional(), Length(max=5000, message=_l("Use at most 5,000 characters."))],
                            description=_l("For single or multiple choice: one choice per line."))
    word_limit = WholeNumberField(_l("Word limit"), validators=[
        Optional(), NumberRange(1, 5000, _l("Enter a whole number from 1 to 5,000."))],
        description=_l("For long text."))
    # Numeric(14, 2) columns: 12 digits before the point, 2 after.
    min_value = DecimalNumberField(_l("Smallest number allowed"), max_places=2, validators=[
        Optional(), NumberRange(-QUESTION_LIMIT, QUESTION_LIMIT, QUESTION_LIMIT_MESSAGE)],
        description=_l("For numbers; leave empty for no limit."))
    max_value = DecimalNumberField(_l("Largest number allowed"), max_places=2, validators=[
        Optional(), NumberRange(-QUESTION_LIMIT, QUESTION_LIMIT, QUESTION_LIMIT_MESSAGE)],
        description=_l("For numbers; leave empty for no limit."))

    def option_list(self) -> list[str]:
        seen, out = set(), []
        for line in (self.options.data or "").splitlines():
            line = line.strip()
            if line and line not in seen:
                seen.add(line)
                out.append(line)
        return out

    def validate_options(self, field):
        if self.kind.data in ("single_choice", "multiple_choice"):
            opts = self.option_list()
            if len(opts) < 2:
                raise ValidationError(_("Write at least two choices, one per line."))
            if any(len(o) > 200 for o in opts):
                raise ValidationError(_("Keep each choice to 200 characters."))

    def validate_word_limit(self, field):
        if self.kind.data == "long_text" and field.data is None:
            raise ValidationError(_("Set a word limit for long text, like 300."))

    def validate_max_value(self, field):
        lo = self.min_value.data
        if self.kind.data == "number" and field.data is not None and lo is not None and field.data < lo:
            raise ValidationError(_("The largest number must not be smaller than the smallest."))

    def values(self) -> dict:
        return {"label": self.label.data, "help_text": self.help_text.data or "", "kind": self.kind.data,
                "required": bool(self.required.data), "options": self.option_list(),
                "word_limit": self.word_limit.data, "min_value": self.min_value.data,
                "max_value": self.max_value.data}


def translation_form(items, locale: str):
    """One text box per translatable field of each object (`items`: the program, its questions and
    criteria, the funder's needs, the program's "you said, we did" entries and letter wordings),
    named `<kind>-<id>-<field>`, holding its translation into `locale`; the source text is the box's
    hint. `form.texts(obj)` gives back what was typed for one object."""
    class TranslationForm(BaseForm):
        def box(self, obj, name: str):
            return self[_box(obj, name)]

        def texts(self, obj) -> dict[str, str]:
            return {name: self.box(obj, name).data or "" for name in translations.fields_of(obj)}

    initial = {}
    for obj in items:
        saved = translations.stored(obj, locale)
        for name, source in translations.sources(obj).items():
            box = TextAreaField if name in _LONG else StringField
            limit = _limit(name)
            checks = [Optional(), Length(max=limit, message=gettext("Keep it to %(num)s characters or fewer.",
                                                                    num=format_number(limit)))]
            setattr(TranslationForm, _box(obj, name), box(
                _label(name), description=english(source) if source else None,
                validators=checks + ([_wording] if name == "body" else [])))
            initial[_box(obj, name)] = saved.get(name, "")
    return TranslationForm(data=initial)  # on a POST, what was sent


def english(source: str) -> Markup:
    """The box's hint: the source text, marked as English on a page in another language."""
    return Markup(escape(gettext("English: %(text)s"))) % {"text": translations.Localized(source, SOURCE_LOCALE).marked}


def _box(obj, name: str) -> str:
    return f"{type(obj).__name__.lower()}-{obj.id}-{name.replace(':', '-')}"


def _label(name: str):
    if name.startswith("option:"):
        return _l("Choice")
    if name.startswith("anchor:"):
        return _l("Level %(level)s", level=name.partition(":")[2])
    return _FIELD_LABELS[name]


def _limit(name: str) -> int:
    """As long as the source may be (a title, a label, a choice, a need's name), or a letter's wording."""
    from grantflow.letters.wording import MAX_SOURCE

    if name == "body":
        return MAX_SOURCE
    return 200 if name in ("title", "name") or name.startswith("option:") else 300 if name == "label" else 10_000


def _wording(form, field):
    """A letter's wording in another language is checked like its source (placeholders, no markup)."""
    from grantflow.letters.wording import WordingError, check_wording

    try:
        check_wording(field.data or "")
    except WordingError as exc:
        raise ValidationError(str(exc)) from None


_LONG = {"description", "help_text", "guidance", "we_heard", "we_did", "body", "payment_schedule",
         "reporting_requirements", "conditions"}
_FIELD_LABELS = {"title": _l("Title"), "description": _l("Description"), "label": _l("Label"),
                 "help_text": _l("Help text"), "guidance": _l("Guidance for reviewers"), "name": _l("Name"),
                 "we_heard": _l("You said"), "we_did": _l("We did"), "body": _l("Wording"),
                 "payment_schedule": _l("Payment schedule"), "reporting_requirements": _l("Reporting requirements"),
                 "conditions": _l("Conditions")}
