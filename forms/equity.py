"""The equity audit page's form: the program's suppression threshold k."""
from __future__ import annotations

from wtforms.validators import InputRequired, NumberRange

from forms.base import BaseForm
from forms.fields import WholeNumberField
from grantflow.equity.services import MAX_K
from grantflow.equity.suppression import MIN_K


class AuditSettingsForm(BaseForm):
    k = WholeNumberField(
        "Smallest identity group shown (k)", example="11",
        validators=[InputRequired(f"Enter a whole number from {MIN_K} to {MAX_K}, like 11."),
                    NumberRange(MIN_K, MAX_K, f"k cannot be below {MIN_K} (smaller groups could identify "
                                              f"organizations) or above {MAX_K}.")],
        description=f"Groups defined by identity data (POC-led, community-led…) with fewer organizations are "
                    f"withheld from every output. Raise it to protect more; it cannot go below {MIN_K}.")
