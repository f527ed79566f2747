"""Outcome metrics an applicant can promise to track, grouped by the families of community wealth
building evaluation (scale, affordability, neighborhood, wealth-building, compensation, racial
equity; docs/domain.md, "What applicants promise to track")."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

FAMILIES = {
    "scale": _l("Scale"),
    "affordability": _l("Affordability"),
    "neighborhood": _l("Neighborhood"),
    "wealth": _l("Wealth-building"),
    "compensation": _l("Compensation"),
    "equity": _l("Racial equity"),
}

# key -> (family, label)
METRICS: dict[str, tuple[str, str]] = {
    "units": ("scale", _l("Housing units or places created or preserved")),
    "members": ("scale", _l("Members, residents or worker-owners")),
    "people_served": ("scale", _l("People served")),
    "median_price": ("affordability", _l("Median price or rent compared with area income")),
    "resident_income": ("affordability", _l("Income of residents or members served")),
    "cost_burden": ("affordability", _l("Households paying more than %(share)s of income for housing", share="30%")),
    "vacancy": ("neighborhood", _l("Vacant lots or buildings brought back into use")),
    "displacement": ("neighborhood", _l("Residents able to stay in the neighborhood")),
    "net_equity": ("wealth", _l("Net equity held by residents or members")),
    "dividends": ("wealth", _l("Dividends or patronage paid to members")),
    "wages": ("compensation", _l("Wages compared with the local living wage")),
    "benefits": ("compensation", _l("Workers with health insurance and paid leave")),
    "member_demographics": ("equity", _l("Race and ethnicity of members or residents compared with the neighborhood")),
    "leadership_demographics": ("equity", _l("People of color in governance and leadership roles")),
}


def metric_choices() -> dict[str, list[tuple[str, str]]]:
    """Choices grouped by family, for a select with option groups."""
    groups: dict[str, list[tuple[str, str]]] = {label: [] for label in FAMILIES.values()}
    for key, (family, label) in METRICS.items():
        groups[FAMILIES[family]].append((key, label))
    return groups


def label(key: str) -> str:
    family, text = METRICS.get(key, ("", key))
    return f"{FAMILIES.get(family, '')}: {text}" if family else text
