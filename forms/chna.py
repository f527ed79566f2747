"""Forms of the CHNA page: priority needs, the places and crosswalk imports, the priority threshold."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forms.base import BaseForm
from forms.fields import DecimalNumberField, WholeNumberField


class NeedForm(BaseForm):
    name = StringField(_l("Need"), validators=[InputRequired(_l("Name the need, e.g. Housing stability.")),
                                           Length(max=200, message=_l("Use at most 200 characters."))])
    rank = WholeNumberField(_l("Rank"), validators=[Optional(), NumberRange(1, 100, _l("Enter a rank from 1 to 100."))],
                             description=_l("1 is the top priority. Leave empty to add it at the end."))
    weight = DecimalNumberField(_l("Weight (optional)"), max_places=3, validators=[
        Optional(), NumberRange(Decimal(0), Decimal(1000), _l("Enter a weight from 0 to 1000."))],
        description=_l("Used by the CHNA-alignment scoring rule; without weights, the rank is used."))
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=5000, message=_l("Use at most 5,000 characters."))])


class ImportPlacesForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))],
                     description=_l("CDC/ATSDR SVI layout (FIPS or STCNTY, LOCATION, E_TOTPOP, RPL_THEMES, "
                                 "RPL_THEME1–RPL_THEME4) or geoid,name,index[,population]; an optional "
                                 "priority column (yes/no)."))
    use_threshold = BooleanField(_l("Mark places with a high need index as priority"))
    threshold = DecimalNumberField(_l("Need index threshold"), default=Decimal("0.75"), validators=[
        Optional(), NumberRange(Decimal(0), Decimal(1), _l("Enter a number from 0 to 1, like 0.75."))],
        description=_l("Places with an index at or above this are marked as priority (when no priority column)."))


class ThresholdForm(BaseForm):
    threshold = DecimalNumberField(_l("Mark places with a need index of at least"), validators=[
        InputRequired(_l("Enter a number from 0 to 1, like 0.75.")),
        NumberRange(Decimal(0), Decimal(1), _l("Enter a number from 0 to 1, like 0.75."))])


class ImportCrosswalkForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))],
                     description=_l("HUD's USPS ZIP–tract crosswalk, saved as CSV: ZIP, TRACT, USPS_ZIP_PREF_CITY, "
                                    "USPS_ZIP_PREF_STATE, RES_RATIO, BUS_RATIO, OTH_RATIO, TOT_RATIO; you may add a "
                                    "NEIGHBORHOOD column."))
