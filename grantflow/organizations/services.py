"""Organization profiles: EIN and geography checks, consent-bound demographics, community
practices, feedback loops and network membership."""
from __future__ import annotations

import re

from sqlalchemy import func, or_, select

from grantflow.core import auditlog
from grantflow.core.db import db, utcnow
from grantflow.core.text import unique_slug
from grantflow.organizations.models import (
    CBO, FUNDER, NETWORK, CommunityPractice, FeedbackLoop, LeadershipProfile, Organization,
)

CONSENT_VERSION = "2026-1"
CONSENT_TEXT = (
    "We ask about the race and ethnicity of your organization's leadership so that funders can see "
    "whether their money reaches organizations led by people of color, and so GrantFlow can check "
    "its own scoring and decisions for disparities. Answering is optional and self-identified. "
    "Funders' programs may use these answers in scoring rules they publish (for example, priority "
    "for organizations led by people of color). Reviewers never see them when a program uses blind "
    "review, and reports show them only in aggregate, never in groups of fewer than 11 "
    "organizations. You can change your answers at any time, and if you withdraw your consent "
    "every answer on this page is deleted."
)

# IRS campus prefixes never issued for EINs.
_INVALID_EIN_PREFIXES = {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78",
                         "79", "89", "96", "97"}
_EIN_RE = re.compile(r"^(\d{2})-?(\d{7})$")
# State and territory FIPS codes (census), to catch typos in 2-, 11- and 12-digit geography keys.
STATE_FIPS = {f"{n:02d}" for n in (1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                                     25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 44,
                                     45, 46, 47, 48, 49, 50, 51, 53, 54, 55, 56, 60, 66, 69, 72, 78)}
GEO_LENGTHS = {2: "state", 5: "county or ZIP code", 11: "census tract", 12: "block group"}


class ProfileError(ValueError):
    """A domain error tied to a form field (`field`)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def normalize_ein(value: str | None) -> str:
    """'123456789' or '12-3456789' -> '12-3456789'; ValueError with a message for the field."""
    raw = (value or "").strip()
    m = _EIN_RE.match(raw)
    if not m:
        raise ValueError("Enter the EIN as 9 digits in the form NN-NNNNNNN, like 12-3456789.")
    if m.group(1) in _INVALID_EIN_PREFIXES:
        raise ValueError(f"No EIN starts with {m.group(1)}: check the first two digits.")
    return f"{m.group(1)}-{m.group(2)}"


def parse_geo_codes(text: str | None) -> list[str]:
    """FIPS / ZIP codes typed by people (commas, spaces or new lines) -> list; ValueError naming
    every code that is not one."""
    codes, bad = [], []
    for token in re.split(r"[\s,;]+", text or ""):
        if not token:
            continue
        code = token.split("-")[0] if re.fullmatch(r"\d{5}-\d{4}", token) else token
        if not code.isdigit() or len(code) not in GEO_LENGTHS:
            bad.append(f"“{token}” is not a FIPS or ZIP code")
        elif len(code) != 5 and code[:2] not in STATE_FIPS:
            bad.append(f"“{token}” starts with {code[:2]}, which is no state's FIPS code")
        elif code not in codes:
            codes.append(code)
    if bad:
        raise ValueError("; ".join(bad) + ". Use 2 digits (state), 5 (county or ZIP code), "
                         "11 (census tract) or 12 (block group).")
    return codes


def place_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Places of the funders' CHNAs, grouped by funder, for choosing a service area."""
    from grantflow.chna.models import Place

    rows = db.session.execute(
        select(Organization.name, Place.geoid, Place.name).join(Organization, Organization.id == Place.funder_id)
        .order_by(Organization.name, Place.name)
    ).all()
    groups: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for funder_name, geoid, name in rows:
        if geoid in seen:
            continue
        seen.add(geoid)
        groups.setdefault(funder_name, []).append((geoid, f"{name} ({geoid})"))
    return list(groups.items())


def profile_snapshot(org: Organization) -> dict:
    return {k: getattr(org, k) for k in (
        "name", "ein", "tax_exempt", "fiscal_sponsor_name", "fiscal_sponsor_ein", "address_line1",
        "address_line2", "city", "state", "postal_code", "service_area", "annual_budget_cents",
        "staff_size", "year_founded", "mission", "website")}


# --- leadership demographics (consent-bound) --------------------------------------------------------

COUNT_FIELDS = ("board_total", "board_poc", "senior_total", "senior_poc")


def save_leadership(org: Organization, *, consent: bool, ed_race: list[str], ed_race_other: str | None,
                    counts: dict[str, int | None], declined: list[str]) -> LeadershipProfile | None:
    """Stores the answers only with consent; without it, deletes whatever was stored."""
    existing = org.leadership
    if not consent:
        if existing is not None:
            auditlog.record("demographics.consent_withdrawn", org)
            db.session.delete(existing)
            org.leadership = None
            db.session.flush()
        return None
    profile = existing or LeadershipProfile(organization=org)
    if existing is None or existing.consent_given_at is None:
        profile.consent_given_at = utcnow()
        auditlog.record("demographics.consent_given", org, after={"version": CONSENT_VERSION})
    profile.consent_version = CONSENT_VERSION
    profile.ed_race = list(ed_race) or None
    profile.ed_race_other = (ed_race_other or None) if "another" in ed_race else None
    for name in COUNT_FIELDS:
        setattr(profile, name, None if name in declined else counts.get(name))
    profile.declined = [n for n in COUNT_FIELDS if n in declined]
    db.session.add(profile)
    db.session.flush()
    return profile


def shares(profile: LeadershipProfile | None) -> dict[str, float | None]:
    """Derived shares of people of color on the board and in senior staff (None when unknown)."""
    from grantflow.facts import share

    if profile is None:
        return {"board": None, "senior": None}
    return {"board": share(profile.board_poc, profile.board_total),
            "senior": share(profile.senior_poc, profile.senior_total)}


# --- community practices and feedback loops -----------------------------------------------------

PRACTICE_FIELDS = ("board_total", "board_lived_experience", "board_in_service_area", "staff_total",
                   "staff_lived_experience", "staff_in_service_area", "community_decision_power",
                   "decision_power_description")


def save_practices(org: Organization, values: dict, loops: list[dict]) -> CommunityPractice:
    practice = org.practices or CommunityPractice(organization=org)
    before = {k: getattr(practice, k, None) for k in PRACTICE_FIELDS} if org.practices else None
    for k in PRACTICE_FIELDS:
        setattr(practice, k, values.get(k))
    db.session.add(practice)
    old_loops = [(l.method, l.frequency, l.recent_change) for l in org.feedback_loops]
    org.feedback_loops.clear()
    for loop in loops:
        org.feedback_loops.append(FeedbackLoop(method=loop["method"], frequency=loop["frequency"],
                                               recent_change=loop.get("recent_change") or None))
    db.session.flush()
    auditlog.record("organization.practices_updated", org, before={"practice": before, "loops": old_loops},
                    after={"practice": {k: values.get(k) for k in PRACTICE_FIELDS},
                           "loops": [(l["method"], l["frequency"], l.get("recent_change")) for l in loops]})
    return practice


# --- networks -------------------------------------------------------------------------------------

def search_organizations(query: str, *, exclude_id: int, limit: int = 20) -> list[Organization]:
    q = (query or "").strip()
    if len(q) < 2:
        return []
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").lower() + "%"
    return list(db.session.execute(
        select(Organization).where(Organization.kind.in_((CBO, NETWORK)), Organization.id != exclude_id,
                                   or_(func.lower(Organization.name).like(pattern, escape="\\"),
                                       Organization.ein == q))
        .order_by(Organization.name).limit(limit)
    ).scalars())


def add_member(network: Organization, member: Organization) -> None:
    if network.kind != NETWORK:
        raise ProfileError("member_id", "Only a network of organizations lists members.")
    if member.id == network.id or member.kind == FUNDER:
        raise ProfileError("member_id", "Choose a community-based organization other than your network.")
    if member not in network.members:
        network.members.append(member)
        auditlog.record("network.member_added", network, after={"member_id": member.id})
    db.session.flush()


def add_member_by_name(network: Organization, name: str, ein: str) -> Organization:
    """Links the organization with that EIN when it exists; otherwise creates it by name and EIN."""
    member = db.session.execute(select(Organization).where(Organization.ein == ein)).scalars().first()
    if member is None:
        member = Organization(kind=CBO, name=name, ein=ein, slug=unique_slug(Organization, name), service_area=[])
        db.session.add(member)
        db.session.flush()
    add_member(network, member)
    return member


def remove_member(network: Organization, member_id: int) -> None:
    for m in list(network.members):
        if m.id == member_id:
            network.members.remove(m)
            auditlog.record("network.member_removed", network, before={"member_id": member_id})
    db.session.flush()
