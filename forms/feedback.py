"""Forms of the feedback loops: the burden survey, feedback settings, advisors' rankings, the
report schedule, progress reports, officer notes and "you said, we did" entries."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from forms.base import BaseForm
from forms.fields import DecimalNumberField, MultiCheckboxField
from grantflow.core.timeutil import YEAR_RANGE_MESSAGE, year_in_range
from grantflow.core.translations import localized, sentence
from grantflow.feedback.applicant import SETTING_KEYS, SETTING_LABELS
from grantflow.feedback.burden import HELPERS, SCALE_ENDS, SCALE_LABELS


def _scale(key: str) -> RadioField:
    low, high = SCALE_ENDS[key]
    return RadioField(
        SCALE_LABELS[key], coerce=int, validators=[Optional()],
        choices=[(1, _l("1 — %(label)s", label=low)), (2, "2"), (3, "3"), (4, "4"), (5, _l("5 — %(label)s", label=high))])


class BurdenSurveyForm(BaseForm):
    hours_spent = DecimalNumberField(
        _l("About how many hours did your organization spend on this application?"),
        description=_l("All people together, including reading the guidelines. A rough estimate is fine."),
        places=1, max_places=2, validators=[Optional(), NumberRange(min=0, max=2000, message=_l("Enter a number of hours from 0 to 2000."))],
        render_kw={"inputmode": "decimal"})
    who_helped = MultiCheckboxField(_l("Who helped with the application?"), choices=list(HELPERS),
                                    validators=[Optional()])
    clarity = _scale("clarity")
    fairness = _scale("fairness")
    respect = _scale("respect")
    burden = _scale("burden")
    what_to_change = TextAreaField(_l("What should we change about how we ask for applications?"),
                                   validators=[Optional(), Length(max=3000, message=_l("Keep it under 3,000 characters."))])
    anonymous = BooleanField(
        _l("Answer anonymously"), default=True,
        description=_l("Anonymous answers are stored without your application, organization or name, and "
                    "with only the month. Program staff see them only as totals of 11 or more answers."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        answered = [self.hours_spent.data is not None, bool(self.who_helped.data), bool(self.what_to_change.data)]
        answered += [getattr(self, k).data is not None for k in ("clarity", "fairness", "respect", "burden")]
        if ok and not any(answered):
            self.hours_spent.errors.append(_("Answer at least one question, or skip the survey."))
            return False
        return ok


class FeedbackSettingsForm(BaseForm):
    pass


for _key in SETTING_KEYS:
    setattr(FeedbackSettingsForm, _key, BooleanField(SETTING_LABELS[_key]))


class ApplicantNoteForm(BaseForm):
    text = TextAreaField(_l("Your note to the applicant: what would have strengthened the application"),
                         description=_l("Shown on the applicant's feedback page once decisions are released."),
                         validators=[Optional(), Length(max=4000, message=_l("Keep the note under 4,000 characters."))])


class ScheduleForm(BaseForm):
    dates = TextAreaField(
        _l("Report due dates"), description=_l("One date per line, as YYYY-MM-DD (for example 2027-03-31)."),
        validators=[Length(max=2000)])

    def validate_dates(self, field) -> None:
        parsed, bad = [], []
        for line in (field.data or "").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                parsed.append(dt.date.fromisoformat(line))
            except ValueError:
                bad.append(line)
        if bad:
            raise ValidationError(_("These are not dates in the form YYYY-MM-DD: %(dates)s.", dates=", ".join(bad[:5])))
        if not all(year_in_range(d) for d in parsed):
            raise ValidationError(YEAR_RANGE_MESSAGE)
        if len(parsed) > 24:
            raise ValidationError(_l("Set at most 24 due dates."))
        self.parsed_dates = parsed


THEMES = (("burden", _l("Burden of applying and reporting")), ("fairness", _l("Fairness")),
          ("priorities", _l("Community priorities")), ("other", _l("Something else")))
THEME_LABELS = dict(THEMES)


class YouSaidWeDidForm(BaseForm):
    theme = SelectField(_l("Theme"), choices=list(THEMES), validators=[InputRequired(_l("Choose a theme."))])
    we_heard = TextAreaField(_l("You said"), description=_l("What we heard, in the words of the people who told us."),
                             validators=[InputRequired(_l("Write what you heard.")), Length(max=3000)])
    we_did = TextAreaField(_l("We did"), description=_l("What we changed in response, or why not yet."),
                           validators=[InputRequired(_l("Write what you changed.")), Length(max=3000)])


def ranking_form(needs, places, existing: dict, formdata=None):
    """A form with a rank (1..n) and a comment for every need and every priority place.

    Ranks of each list must each be used once, so the advisor makes real trade-offs."""

    class RankingForm(BaseForm):
        pass

    # A need's name is the funder's, in the advisor's language where it gave one (else marked
    # `lang`); a place's is the Census Bureau's.
    names = {**{n: localized(n, "name").marked for n in needs}, **{p: Markup.escape(p.name) for p in places}}

    def add(kind: str, items):
        n = len(items)
        choices = [("", _l("Choose a rank"))] + [(str(i), str(i)) for i in range(1, n + 1)]
        for item in items:
            row = existing.get((kind, item.id))
            name = names[item]
            setattr(RankingForm, f"{kind}_{item.id}_rank", SelectField(
                sentence(_("Rank of %(item)s"), item=name), choices=choices,
                default=str(row.rank) if row else "",
                validators=[DataRequired(sentence(_("Choose a rank for %(item)s."), item=name))]))  # " " is no rank
            setattr(RankingForm, f"{kind}_{item.id}_comment", TextAreaField(
                sentence(_("Comment on %(item)s"), item=name), default=row.comment if row else "",
                validators=[Optional(), Length(max=2000, message=_l("Keep the comment under 2,000 characters."))],
                render_kw={"rows": 2}))

    add("need", needs)
    add("place", places)

    def validate(self, extra_validators=None):
        ok = BaseForm.validate(self, extra_validators)
        for kind, items in (("need", needs), ("place", places)):
            seen: dict[str, str] = {}
            for item in items:
                f = self[f"{kind}_{item.id}_rank"]
                if not f.data:
                    continue
                if f.data in seen:
                    f.errors = list(f.errors) + [sentence(
                        _("Rank %(rank)s is already given to %(item)s; use each rank once."),
                        rank=f.data, item=seen[f.data])]
                    ok = False
                else:
                    seen[f.data] = names[item]
        return ok

    RankingForm.validate = validate
    return RankingForm(formdata=formdata) if formdata is not None else RankingForm()


def progress_report_form(outcomes: list, report, formdata=None):
    """The measures the grantee committed to (metric + target) with the value reached."""

    class ProgressForm(BaseForm):
        how_funder_could_help = TextAreaField(
            _l("How could we help you more, or burden you less?"),
            default=report.how_funder_could_help or "",
            validators=[Optional(), Length(max=4000, message=_l("Keep it under 4,000 characters."))])

    previous = {i: m.get("actual", "") for i, m in enumerate((report.measures or {}).get("items", []))}
    from grantflow.applications.metrics import label as metric_label

    for i, outcome in enumerate(outcomes or []):
        key = str(outcome.get("metric", ""))
        metric = metric_label(key) if key else _("Measure %(number)s", number=i + 1)
        target = str(outcome.get("target", ""))
        setattr(ProgressForm, f"actual_{i}", StringField(
            _("%(metric)s: value reached", metric=metric),
            description=_("Your target: %(target)s", target=target) if target else None,
            default=previous.get(i, ""),
            validators=[InputRequired(_("Enter the value reached for %(metric)s, or “not yet”.", metric=metric)),
                        Length(max=200, message=_l("Keep it under 200 characters."))]))
    return ProgressForm(formdata=formdata) if formdata is not None else ProgressForm()
