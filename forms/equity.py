"""The equity audit page's form: the program's suppression threshold k."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, NumberRange

from forms.base import BaseForm
from forms.fields import WholeNumberField
from grantflow.equity.services import MAX_K
from grantflow.equity.suppression import MIN_K


class AuditSettingsForm(BaseForm):
    k = WholeNumberField(
        _l("Smallest identity group shown (k)"), example="11",
        validators=[InputRequired(_l("Enter a whole number from %(min)s to %(max)s, like 11.", min=MIN_K, max=MAX_K)),
                    NumberRange(MIN_K, MAX_K, _l("k cannot be below %(min)s (smaller groups could identify "
                                                 "organizations) or above %(max)s.", min=MIN_K, max=MAX_K))],
        description=_l("Groups defined by identity data (POC-led, community-led…) with fewer organizations are "
                       "withheld from every output. Raise it to protect more; it cannot go below %(min)s.", min=MIN_K))
