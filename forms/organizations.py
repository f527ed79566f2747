"""Organization profile forms: the profile itself, leadership demographics behind consent,
community-led practices with feedback loops, and the team (inviting a colleague, a role)."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
import datetime as dt

from wtforms import (
    BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField, URLField,
)
from wtforms.fields import FormField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, URL, ValidationError

from forms.base import BaseForm, SubForm, bind_containers_unfiltered
from forms.fields import MoneyField, MultiCheckboxField, RowList, WholeNumberField
from grantflow.core import roles as R
from grantflow.core.i18n import language_choices
from grantflow.organizations import demographics
from grantflow.organizations.services import normalize_ein, parse_geo_codes

US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
             "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI").split()
FREQUENCIES = (("weekly", _l("Weekly")), ("monthly", _l("Monthly")), ("quarterly", _l("Quarterly")),
               ("yearly", _l("Once a year")), ("ad hoc", _l("Now and then (ad hoc)")))


def ein_check(form, field):
    if field.data:
        try:
            field.data = normalize_ein(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def _count(label, **kw):
    return WholeNumberField(label, validators=[Optional(), NumberRange(0, 1_000_000, _l("Enter a number from 0 up."))],
                            example="7", **kw)


# --- the profile ----------------------------------------------------------------------------------

class ProfileForm(BaseForm):
    name = StringField(_l("Legal name"), validators=[InputRequired(_l("Enter your organization's legal name.")),
                                                 Length(max=200)])
    ein = StringField(_l("Employer Identification Number (EIN)"),
                      description=_l("9 digits, like 12-3456789. A group without its own EIN names its fiscal "
                                  "sponsor and the sponsor's EIN below instead."),
                      validators=[Optional(), ein_check])
    tax_exempt = RadioField(_l("Is your organization tax-exempt (for example a 501(c)(3))?"),
                            choices=[("yes", _l("Yes")), ("no", _l("No"))],
                            validators=[InputRequired(_l("Tell us whether your organization is tax-exempt."))])
    fiscal_sponsor_name = StringField(_l("Fiscal sponsor's legal name"),
                                      description=_l("Only if a fiscal sponsor holds funds for you."),
                                      validators=[Optional(), Length(max=200)])
    fiscal_sponsor_ein = StringField(_l("Fiscal sponsor's EIN"), validators=[Optional(), ein_check])
    contact_name = StringField(_l("Primary contact's name"), description=_l("Letters from funders are addressed to "
                               "this person."), validators=[Optional(), Length(max=200)])
    contact_title = StringField(_l("Primary contact's title"), description=_l("Like Executive Director."),
                                validators=[Optional(), Length(max=200)])
    address_line1 = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    address_line2 = StringField(_l("Address line 2"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    state = StringField(_l("State"), description=_l("Two-letter abbreviation, like NY."),
                        validators=[Optional(), Length(max=2, message=_l("Use the two-letter abbreviation, like NY."))])
    postal_code = StringField(_l("ZIP code"), validators=[Optional(), Length(max=10)])
    service_places = MultiCheckboxField(_l("Places you serve, from funders' community health needs assessments"),
                                        description=_l("Find them by ZIP code, city, neighborhood or tract, or "
                                                       "choose from the list."), choices=[], validate_choice=True)
    service_codes = TextAreaField(_l("Other places you serve, as codes"),
                                  description=_l("Census FIPS codes (state, county, tract or block group) or ZIP "
                                              "codes, separated by commas or spaces."),
                                  validators=[Optional(), Length(max=5000)])
    annual_budget = MoneyField(_l("Annual operating budget ($)"))
    staff_size = _count(_l("Number of paid staff"))
    year_founded = WholeNumberField(_l("Year founded"), example="7")
    mission = TextAreaField(_l("Mission"), validators=[Optional(), Length(max=5000)])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=300),
                                              URL(message=_l("Enter a web address like https://example.org."))])
    language = SelectField(_l("Language of your messages and letters"), description=_l(
        "Funders write to you, and issue your letters, in this language where they can."),
        validators=[DataRequired(_l("Choose a language."))])  # not sent: the saved one stays

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()

    def validate_year_founded(self, field):
        if field.data is not None and not 1700 <= field.data <= dt.date.today().year:
            raise ValidationError(_("Enter a year between %(first)s and %(last)s.", first=1700,
                                    last=dt.date.today().year))

    def validate_state(self, field):
        if field.data and field.data.upper() not in US_STATES:
            raise ValidationError(_l("Use the two-letter abbreviation of a US state or territory, like NY."))
        field.data = (field.data or "").upper() or None

    def validate_postal_code(self, field):
        import re

        if field.data and not re.fullmatch(r"\d{5}(-\d{4})?", field.data):
            raise ValidationError(_l("Enter a 5-digit ZIP code, like 10027 (or ZIP+4, like 10027-1234)."))

    def validate_service_codes(self, field):
        try:
            self.parsed_codes = parse_geo_codes(field.data)
        except ValueError as exc:
            self.parsed_codes = []
            raise ValidationError(str(exc)) from None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        name, ein = self.fiscal_sponsor_name, self.fiscal_sponsor_ein
        if name.data and not ein.data and not ein.errors:
            ein.errors = [*ein.errors, _("Enter your fiscal sponsor's EIN too.")]
            ok = False
        if ein.data and not name.data and not name.errors:
            name.errors = [*name.errors, _("Enter your fiscal sponsor's legal name too.")]
            ok = False
        if not self.ein.data and not self.ein.errors and not (name.data and ein.data):
            self.ein.errors = [*self.ein.errors, _("Enter your EIN, like 12-3456789, or name a fiscal sponsor "
                                                   "with its EIN below.")]
            ok = False
        return ok


# --- leadership demographics ----------------------------------------------------------------------

RACE_CHOICES = list(demographics.CATEGORIES) + [(demographics.PREFER_NOT, demographics.LABELS[demographics.PREFER_NOT])]


class DemographicsForm(BaseForm):
    consent = BooleanField(_l("I have read the statement above and agree that GrantFlow stores these answers "
                           "for the uses it describes."))
    ed_race = MultiCheckboxField(_l("Executive director's race or ethnicity (select all that apply)"),
                                 choices=RACE_CHOICES)
    ed_race_other = StringField(_l("Another identity: please specify"), validators=[Optional(), Length(max=120)])
    board_total = _count(_l("Board members in total"))
    board_total_declined = BooleanField(_l("Prefer not to say (board total)"))
    board_poc = _count(_l("Board members who identify as people of color"))
    board_poc_declined = BooleanField(_l("Prefer not to say (board members of color)"))
    senior_total = _count(_l("Senior staff in total"))
    senior_total_declined = BooleanField(_l("Prefer not to say (senior staff total)"))
    senior_poc = _count(_l("Senior staff who identify as people of color"))
    senior_poc_declined = BooleanField(_l("Prefer not to say (senior staff of color)"))

    def validate_ed_race(self, field):
        chosen = set(field.data or ())
        if demographics.PREFER_NOT in chosen and len(chosen) > 1:
            raise ValidationError(_l("Choose “Prefer not to say” on its own, or the identities that apply."))
        if "another" in chosen and not self.ed_race_other.data:
            raise ValidationError(_l("Describe the other identity in the box below, or untick “Another identity”."))

    def validate_ed_race_other(self, field):
        if field.data and "another" not in set(self.ed_race.data or ()):
            raise ValidationError(_l("Tick “Another identity” to keep what you typed here, or clear the box."))

    def _part_of(self, part, total):
        p, t = part.data, total.data
        if p is not None and t is not None and p > t:
            raise ValidationError(_("This cannot be more than the total (%(total)s).", total=t))

    def validate_board_poc(self, field):
        self._part_of(field, self.board_total)

    def validate_senior_poc(self, field):
        self._part_of(field, self.senior_total)

    def declined(self) -> list[str]:
        return [n for n in ("board_total", "board_poc", "senior_total", "senior_poc") if self[n + "_declined"].data]


# --- community practices --------------------------------------------------------------------------

class FeedbackLoopForm(SubForm):
    method = StringField(_l("How you ask for feedback"), description=_l("For example: a tenants' assembly, a survey."),
                         validators=[Length(max=200)])
    frequency = SelectField(_l("How often"), choices=[("", _l("Choose…")), *FREQUENCIES], validate_choice=False)
    recent_change = TextAreaField(_l("A recent change you made because of feedback"),
                                  validators=[Optional(), Length(max=2000)])

    def validate_frequency(self, field):
        if field.data and field.data not in dict(FREQUENCIES):
            raise ValidationError(_l("Choose how often from the list."))
        if self.method.data and not field.data:
            raise ValidationError(_l("Choose how often you do this."))

    def validate_method(self, field):
        if not field.data and (self.frequency.data or self.recent_change.data):
            raise ValidationError(_l("Describe how you ask for feedback."))


class PracticesForm(BaseForm):
    class Meta:
        bind_field = bind_containers_unfiltered

    board_total = _count(_l("Board members in total"))
    board_lived_experience = _count(_l("Board members with lived experience of the issues you work on"))
    board_in_service_area = _count(_l("Board members living in your service area"))
    staff_total = _count(_l("Staff in total"))
    staff_lived_experience = _count(_l("Staff with lived experience of the issues you work on"))
    staff_in_service_area = _count(_l("Staff living in your service area"))
    community_decision_power = RadioField(
        _l("Do the people you serve hold decision power in your organization?"),
        choices=[("yes", _l("Yes")), ("no", _l("No")), ("", _l("Prefer not to say"))], default="", validate_choice=True)
    decision_power_description = TextAreaField(_l("How do they hold it?"),
                                               description=_l("For example: a majority of the board are residents."),
                                               validators=[Optional(), Length(max=2000)])
    loops = RowList(FormField(FeedbackLoopForm), label=_l("Feedback loops"), min_entries=1, max_entries=20)

    def _part(self, field, total):
        if field.data is not None and total.data is not None and field.data > total.data:
            raise ValidationError(_("This cannot be more than the total (%(total)s).", total=total.data))

    def validate_board_lived_experience(self, f):
        self._part(f, self.board_total)

    def validate_board_in_service_area(self, f):
        self._part(f, self.board_total)

    def validate_staff_lived_experience(self, f):
        self._part(f, self.staff_total)

    def validate_staff_in_service_area(self, f):
        self._part(f, self.staff_total)



# --- the team -------------------------------------------------------------------------------------

TEAM_ROLE_CHOICES = [(r, _l("%(role)s: %(help)s", role=R.TEAM_LABELS[r], help=R.TEAM_HELP[r])) for r in R.TEAM_ROLES]


class TeamInviteForm(BaseForm):
    email = EmailField(_l("Their email address"), validators=[
        InputRequired(_l("Enter your colleague's email address.")), Length(max=254),
        Email(_l("Enter an email address like name@example.org."), check_deliverability=False)])
    role = RadioField(_l("Their role"), choices=TEAM_ROLE_CHOICES, default=R.TEAM_EDITOR,
                      validators=[InputRequired(_l("Choose a role."))])


class TeamRoleForm(BaseForm):
    team_role = SelectField(_l("Role"), choices=[(r, R.TEAM_LABELS[r]) for r in R.TEAM_ROLES],
                            validators=[InputRequired(_l("Choose a role."))])
