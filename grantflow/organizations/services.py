"""Organization profiles: EIN and geography checks, consent-bound demographics, community
practices, feedback loops and network membership."""
from __future__ import annotations

import re

import us
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from grantflow.accounts.models import Membership, User
from grantflow.core import auditlog
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import in_language
from grantflow.core.mail import send_mail
from grantflow.organizations.models import (
    ACCEPTED, CBO, DECLINED, FUNDER, INVITED, NETWORK, CommunityPractice, FeedbackLoop, LeadershipProfile,
    NetworkMembership, Organization,
)

CONSENT_VERSION = "2026-1"
CONSENT_TEXT = _l(
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
        raise ValueError(_("Enter the EIN as 9 digits in the form NN-NNNNNNN, like 12-3456789."))
    if m.group(1) in _INVALID_EIN_PREFIXES:
        raise ValueError(_("No EIN starts with %(prefix)s: check the first two digits.", prefix=m.group(1)))
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
            bad.append(_("“%(code)s” is not a FIPS or ZIP code", code=token))
        elif len(code) != 5 and code[:2] not in STATE_FIPS:
            bad.append(_("“%(code)s” starts with %(state)s, which is no state's FIPS code", code=token,
                         state=code[:2]))
        elif code not in codes:
            codes.append(code)
    if bad:
        # Each code's problem is a clause: "“123” is not a FIPS or ZIP code; “ABCDE” is not …".
        raise ValueError(_("%(problems)s. Use 2 digits (state), 5 (county or ZIP code), 11 (census tract) or "
                           "12 (block group).", problems="; ".join(bad)))
    return codes


def profile_snapshot(org: Organization) -> dict:
    return {k: getattr(org, k) for k in (
        "name", "ein", "tax_exempt", "fiscal_sponsor_name", "fiscal_sponsor_ein", "address_line1",
        "address_line2", "city", "state", "postal_code", "service_area", "annual_budget_cents",
        "staff_size", "year_founded", "mission", "website", "contact_name", "contact_title")}


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
# A network acts for a member only with the member's consent: the network invites, a person with
# the applicant role in the organization accepts or declines (NetworkMembership).

def applicant_pool(network: Organization):
    """The ids of the organizations `network` may find and invite, as a select.

    Those that applied (a draft counts) to a program of a funder the network is connected with:
    one to whose programs the network applied, itself or on behalf of an accepted member, or one
    its accepted members applied to. These are organizations that funder's staff already see, so
    a coordinator cannot comb the platform. A network that has applied nowhere yet finds no one:
    it starts an application (a draft is enough) first; an organization that applied nowhere is
    found once it starts one.
    """
    from grantflow.applications.models import Application
    from grantflow.programs.models import Program

    members = select(NetworkMembership.member_id).where(NetworkMembership.network_id == network.id,
                                                        NetworkMembership.status == ACCEPTED)
    funders = select(Program.funder_id).join(Application, Application.program_id == Program.id).where(
        or_(Application.organization_id == network.id, Application.organization_id.in_(members)))
    applied = (select(Application.organization_id, Application.on_behalf_of_id)
               .join(Program, Program.id == Application.program_id).where(Program.funder_id.in_(funders))
               .subquery())
    return select(applied.c.organization_id).union(
        select(applied.c.on_behalf_of_id).where(applied.c.on_behalf_of_id.is_not(None)))


def search_organizations(network: Organization, query: str, *, limit: int = 20) -> list[Organization]:
    """Organizations of `network`'s applicant pool whose name is exactly `query` (case and spacing
    aside) or whose EIN it is (with or without the dash); never a partial match."""
    q = " ".join((query or "").split())
    if not q:
        return []
    try:
        match = Organization.ein == normalize_ein(q)
    except ValueError:
        match = func.lower(Organization.name) == func.lower(q)
    return list(db.session.execute(
        select(Organization).where(match, Organization.kind.in_((CBO, NETWORK)), Organization.id != network.id,
                                   Organization.id.in_(applicant_pool(network)))
        .order_by(Organization.name).limit(limit)
    ).scalars())


def _link(network_id: int, member_id: int) -> NetworkMembership | None:
    return db.session.get(NetworkMembership, (network_id, member_id))


def invite_member(network: Organization, member: Organization | None, invited_by) -> bool:
    """Invites `member` and tells its people; False when it was invited or a member already.

    An organization outside the pool is refused with the same words as one that does not exist."""
    if network.kind != NETWORK:
        raise ProfileError("member_id", "Only a network of organizations lists members.")
    if member is None or member.id == network.id or member.kind == FUNDER or not db.session.execute(
            select(Organization.id).where(Organization.id == member.id,
                                          Organization.id.in_(applicant_pool(network)))).first():
        raise ProfileError("member_id", "Find the organization by its exact name or EIN, then invite it.")
    link = _link(network.id, member.id)
    if link is not None:
        if link.status == DECLINED:
            raise ProfileError("member_id", f"{member.name} declined to be a member of {network.name}. "
                                            f"It can still join from its own page on GrantFlow.")
        return False
    link = NetworkMembership(network_id=network.id, member_id=member.id, status=INVITED,
                             invited_by_id=invited_by.id)
    try:
        with db.session.begin_nested():  # a second click at the same moment invites once
            db.session.add(link)
    except IntegrityError:
        return False
    auditlog.record("network.member_invited", network, after={"member_id": member.id})
    _tell_of_invitation(link, invited_by)
    return True


def _tell_of_invitation(link: NetworkMembership, invited_by) -> None:
    """A message to each admin of the invited organization's team, who alone may answer (once per
    invitation: a network that removes an invitation and invites again sends a new one)."""
    network, member = link.network, link.member
    people = db.session.execute(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == member.id, Membership.role == R.APPLICANT,
               Membership.team_role == R.TEAM_ADMIN, User.active)
        .distinct().order_by(User.email)).scalars().all()
    url = url_for("organizations.networks", slug=member.slug, _external=True)
    with in_language(member.language):  # written to the member organization, in its language
        subject = _("%(network)s invites %(member)s to join its network", network=network.name, member=member.name)
        body = "\n\n".join((
            _("%(person)s of %(network)s invited %(member)s to be a member of the network on GrantFlow.",
              person=invited_by.name, network=network.name, member=member.name),
            _("If you accept, %(network)s sees your organization's profile and can apply to funders' programs on "
              "its behalf. You can leave the network at any time.", network=network.name),
            _("Accept or decline here:") + "\n" + url)) + "\n"
    for email in people:
        send_mail(email, subject, body,
                  key=f"network.invited:{network.id}:{member.id}:{link.invited_at.isoformat()}:{email}",
                  event="network.invited")


def answer_invitation(member: Organization, network_id: int, *, accept: bool, answered_by) -> NetworkMembership:
    """The member's answer: accept, decline, or (declining an accepted membership) leave."""
    link = _link(network_id, member.id)
    if link is None:
        raise ProfileError("network_id", "That invitation no longer exists.")
    status = ACCEPTED if accept else DECLINED
    if link.status != status:
        action = ("network.invitation_accepted" if accept else
                  "network.member_left" if link.status == ACCEPTED else "network.invitation_declined")
        link.status, link.answered_by_id, link.answered_at = status, answered_by.id, utcnow()
        db.session.flush()
        auditlog.record(action, member, after={"network_id": network_id})
    return link


def remove_member(network: Organization, member_id: int) -> None:
    """Takes a member, an invitation or a declined one off the network's list."""
    link = _link(network.id, member_id)
    if link is not None:
        auditlog.record("network.member_removed", network, before={"member_id": member_id, "status": link.status})
        db.session.delete(link)
        db.session.flush()


def links_of_network(network: Organization) -> list[NetworkMembership]:
    return list(db.session.execute(
        select(NetworkMembership).join(Organization, Organization.id == NetworkMembership.member_id)
        .where(NetworkMembership.network_id == network.id).options(contains_eager(NetworkMembership.member))
        .order_by(Organization.name)).scalars())


def by_status(links: list[NetworkMembership]) -> dict[str, list[NetworkMembership]]:
    groups: dict[str, list[NetworkMembership]] = {INVITED: [], ACCEPTED: [], DECLINED: []}
    for link in links:
        groups[link.status].append(link)
    return groups


def invitations_to(org_ids, *, statuses=(INVITED, ACCEPTED, DECLINED)) -> list[NetworkMembership]:
    """The networks' invitations and memberships of the organizations `org_ids`, network by name."""
    if not org_ids:
        return []
    return list(db.session.execute(
        select(NetworkMembership).join(Organization, Organization.id == NetworkMembership.network_id)
        .where(NetworkMembership.member_id.in_(org_ids), NetworkMembership.status.in_(statuses))
        .options(contains_eager(NetworkMembership.network), selectinload(NetworkMembership.member))
        .order_by(Organization.name)).scalars())


def home_timezone(org: Organization, fallback: str = "America/New_York") -> str:
    """The zone an organization's dates are in by default: that of its state (its address, else the
    state of the first place it serves, a census code that starts with the state's FIPS code)."""

    for code in [org.state or ""] + [str(g)[:2] for g in (org.service_area or [])[:1]]:
        state = us.states.lookup(code) if code else None
        if state is not None and state.capital_tz:
            return state.capital_tz
    return fallback
