"""Race and ethnicity categories of the 2024 federal standard (OMB SPD 15), and who counts as a
person of color. Self-identified, select all that apply."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORIES = (
    ("aian", _l("American Indian or Alaska Native")),
    ("asian", _l("Asian")),
    ("black", _l("Black or African American")),
    ("hispanic", _l("Hispanic or Latino")),
    ("mena", _l("Middle Eastern or North African")),
    ("nhpi", _l("Native Hawaiian or Pacific Islander")),
    ("white", _l("White")),
    ("another", _l("Another identity (please specify)")),
)
PREFER_NOT = "prefer_not_to_say"
LABELS = dict(CATEGORIES) | {PREFER_NOT: _l("Prefer not to say")}
CODES = tuple(code for code, _ in CATEGORIES)
POC_CODES = frozenset(CODES) - {"white"}


def ed_is_poc(categories) -> bool | None:
    """True when any chosen category is other than White; None when not reported or declined."""
    chosen = set(categories or ())
    if not chosen or PREFER_NOT in chosen:
        return None
    return bool(chosen & POC_CODES)
