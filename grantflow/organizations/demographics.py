"""Race and ethnicity categories of the 2024 federal standard (OMB SPD 15), and who counts as a
person of color. Self-identified, select all that apply."""
from __future__ import annotations

CATEGORIES = (
    ("aian", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("black", "Black or African American"),
    ("hispanic", "Hispanic or Latino"),
    ("mena", "Middle Eastern or North African"),
    ("nhpi", "Native Hawaiian or Pacific Islander"),
    ("white", "White"),
    ("another", "Another identity (please specify)"),
)
PREFER_NOT = "prefer_not_to_say"
LABELS = dict(CATEGORIES) | {PREFER_NOT: "Prefer not to say"}
CODES = tuple(code for code, _ in CATEGORIES)
POC_CODES = frozenset(CODES) - {"white"}


def ed_is_poc(categories) -> bool | None:
    """True when any chosen category is other than White; None when not reported or declined."""
    chosen = set(categories or ())
    if not chosen or PREFER_NOT in chosen:
        return None
    return bool(chosen & POC_CODES)
