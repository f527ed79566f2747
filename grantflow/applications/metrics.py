"""Outcome metrics an applicant can promise to track, grouped by the families of community wealth
building evaluation (scale, affordability, neighborhood, wealth-building, compensation, racial
equity; docs/domain.md, "What applicants promise to track")."""
from __future__ import annotations

FAMILIES = {
    "scale": "Scale",
    "affordability": "Affordability",
    "neighborhood": "Neighborhood",
    "wealth": "Wealth-building",
    "compensation": "Compensation",
    "equity": "Racial equity",
}

# key -> (family, label)
METRICS: dict[str, tuple[str, str]] = {
    "units": ("scale", "Housing units or places created or preserved"),
    "members": ("scale", "Members, residents or worker-owners"),
    "people_served": ("scale", "People served"),
    "median_price": ("affordability", "Median price or rent compared with area income"),
    "resident_income": ("affordability", "Income of residents or members served"),
    "cost_burden": ("affordability", "Households paying more than 30% of income for housing"),
    "vacancy": ("neighborhood", "Vacant lots or buildings brought back into use"),
    "displacement": ("neighborhood", "Residents able to stay in the neighborhood"),
    "net_equity": ("wealth", "Net equity held by residents or members"),
    "dividends": ("wealth", "Dividends or patronage paid to members"),
    "wages": ("compensation", "Wages compared with the local living wage"),
    "benefits": ("compensation", "Workers with health insurance and paid leave"),
    "member_demographics": ("equity", "Race and ethnicity of members or residents compared with the neighborhood"),
    "leadership_demographics": ("equity", "People of color in governance and leadership roles"),
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
