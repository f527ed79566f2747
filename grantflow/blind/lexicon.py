"""The identity lexicon of an application: every string the system knows that names its applicant.

Built from the records, for the organization that applies and the one it applies for, its fiscal
sponsor and its networks: legal and common names with their usual short forms and acronyms
("Perris Community Land Trust", "Perris CLT", "PCLT"; "Cooperative" as "Co-op"/"Coop";
"Association" as "Assn"; "Inc."/"LLC" dropped), website hosts, EINs (in any spacing, and their
seven-digit serial alone), street addresses (with
"Street"/"St" and the like), ZIP codes and cities; the people linked to the applying
organizations (members of any role, the application's author, whoever uploaded its files): full
names, first and last names alone (at least 3 letters and not a common word), email addresses,
their domains and distinctive local parts; and the terms the applicant added themselves. The
version is a digest of the terms: a redacted attachment is kept per version and made again when
it changes.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grantflow.accounts.models import Membership, User
from grantflow.blind.commonwords import COMMON_WORDS
from grantflow.blind.models import BlindTerm
from grantflow.blind.textmatch import Matcher, Term, folded
from grantflow.core.db import db
from grantflow.organizations.models import ACCEPTED, NetworkMembership, Organization

# Bumped when the way terms are derived or matched changes, so redacted copies are made again.
ALGORITHM = "2"

# Phrase (a regular expression on the name) -> the short forms it is also written as.
SHORT_FORMS = (
    (r"community\s+land\s+trust", ("CLT",)),
    (r"co-?operative", ("Co-op", "Coop")),
    (r"association", ("Assn", "Assoc")),
    (r"incorporated", ("Inc",)),
    (r"corporation", ("Corp",)),
    (r"cent(?:er|re)", ("Ctr",)),
    (r"foundation", ("Fdn",)),
    (r"organization", ("Org",)),
    (r"community", ("Cmty",)),
    (r"development", ("Dev",)),
    (r"national", ("Natl",)),
    (r"and", ("&",)),
)
LEGAL_FORMS = re.compile(r"(?:,?\s+(?:inc|incorporated|llc|l\.l\.c|ltd|limited|corp|pbc|nfp)\.?)+\s*$|^the\s+",
                         re.IGNORECASE)
ACRONYM_SKIP = {"of", "the", "and", "for", "a", "an", "at", "in", "on", "to", "&"}
STREET_WORDS = (("Street", "St"), ("Avenue", "Ave"), ("Boulevard", "Blvd"), ("Road", "Rd"), ("Drive", "Dr"),
                ("Lane", "Ln"), ("Court", "Ct"), ("Place", "Pl"), ("Suite", "Ste"), ("Highway", "Hwy"),
                ("Parkway", "Pkwy"), ("North", "N"), ("South", "S"), ("East", "E"), ("West", "W"))
FREE_MAIL = {"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com", "proton.me",
             "protonmail.com", "live.com", "msn.com", "comcast.net", "att.net", "sbcglobal.net"}
TOP_LEVEL = {"com", "org", "net", "edu", "gov", "co", "us", "uk", "ca", "info", "biz", "io", "me", "www"}


def _distinctive(word: str) -> bool:
    key = folded(word)
    return len(key.replace(" ", "")) >= 3 and key not in COMMON_WORDS


def drop_legal_form(name: str) -> str:
    return LEGAL_FORMS.sub("", name.strip()).strip(" ,")


def name_forms(name: str) -> list[str]:
    """The name, without its legal form, and with every combination of the usual short forms."""
    base = drop_legal_form(name)
    forms = [name.strip(), base]
    for phrase, shorts in SHORT_FORMS:
        rx = re.compile(rf"\b{phrase}\b", re.IGNORECASE)
        forms += [rx.sub(short, f) for f in forms if rx.search(f) for short in shorts]
    return list(dict.fromkeys(f for f in forms if f))


def acronym(name: str) -> str | None:
    words = [w for w in re.split(r"[\s/]+", drop_legal_form(name)) if w and w.casefold() not in ACRONYM_SKIP]
    letters = "".join(w[0] for w in words if w[0].isalnum()).upper()
    return letters if len(words) >= 2 and len(letters) >= 3 else None


def organization_terms(name: str | None, source: str) -> list[Term]:
    if not name or len(name.strip()) < 3:
        return []
    terms = [Term(f, "organization", source) for f in name_forms(name)]
    short = acronym(name)
    if short:
        terms.append(Term(short, "organization", f"{source} (acronym)", spaced=True,
                          upper_only=not _distinctive(short)))
    return terms


def street_forms(street: str) -> list[str]:
    forms = [street.strip()]
    for long, short in STREET_WORDS:
        for a, b in ((long, short), (short, long)):
            rx = re.compile(rf"\b{a}\b\.?", re.IGNORECASE)
            forms += [rx.sub(b, f) for f in forms if rx.search(f)]
    return list(dict.fromkeys(forms))


def host_of(website: str | None) -> str | None:
    if not website or not website.strip():
        return None
    raw = website.strip()
    host = (urlsplit(raw if "//" in raw else "//" + raw).hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    return host if "." in host else None


def domain_terms(host: str, source: str) -> list[Term]:
    if host in FREE_MAIL:
        return []
    terms = [Term(host, "contact", source)]
    for label in host.split(".")[:-1]:
        if label not in TOP_LEVEL and _distinctive(label):
            terms.append(Term(label, "contact", source))
    return terms


def person_terms(name: str | None, email: str | None, source: str) -> list[Term]:
    terms = []
    if name and len(name.strip()) >= 3:
        terms.append(Term(name.strip(), "person", source))
        parts = name.split()
        for part in {parts[0], parts[-1]} if len(parts) > 1 else set():
            if _distinctive(part):
                terms.append(Term(part, "person", source))
    if email and "@" in email:
        local, _, domain = email.strip().lower().rpartition("@")
        terms.append(Term(email.strip(), "contact", source))
        terms += domain_terms(domain, source)
        if _distinctive(local) and len(local) >= 4:
            terms.append(Term(local, "contact", source))
    return terms


def digits_term(value: str | None, kind: str, source: str, minimum: int) -> list[Term]:
    digits = re.sub(r"\D", "", value or "")
    return [Term(digits, kind, source)] if len(digits) >= minimum else []


def ein_terms(ein: str | None, source: str) -> list[Term]:
    """The EIN in any spacing, and its seven-digit serial alone (the part that is the organization's)."""
    terms = digits_term(ein, "tax_id", source, 9)
    return terms + [Term(terms[0].text[2:], "tax_id", source)] if terms else []


def organization_record_terms(org, source: str, *, place: bool = True) -> list[Term]:
    """What an organization's own record says about it (not its people); a network's address is
    not the applicant's, so `place=False` leaves it out."""
    terms = organization_terms(org.name, source)
    terms += organization_terms(org.slug.replace("-", " ") if org.slug else None, source)
    terms += ein_terms(org.ein, f"{source}: EIN")
    host = host_of(org.website)
    if host:
        terms += domain_terms(host, f"{source}: website")
    for street in (org.address_line1, org.address_line2) if place else ():
        if street and len(street.strip()) >= 4:
            terms += [Term(f, "address", f"{source}: address") for f in street_forms(street)]
    if place and org.city and len(org.city.strip()) >= 3:
        terms.append(Term(org.city.strip(), "address", f"{source}: city"))
    if place:
        terms += digits_term((org.postal_code or "")[:5], "address", f"{source}: ZIP code", 5)
    if org.fiscal_sponsor_name:
        terms += organization_terms(org.fiscal_sponsor_name, "Fiscal sponsor")
    terms += ein_terms(org.fiscal_sponsor_ein, "Fiscal sponsor: EIN")
    return terms


@dataclass
class Lexicon:
    terms: list[Term] = field(default_factory=list)

    @cached_property
    def matcher(self) -> Matcher:
        return Matcher(self.terms)

    @cached_property
    def version(self) -> str:
        keys = sorted({f"{t.kind}|{int(t.spaced)}|{int(t.upper_only)}|{t.key}" for t in self.matcher.terms})
        return hashlib.sha256("\n".join([ALGORITHM, *keys]).encode()).hexdigest()

    def mask(self, text):
        return self.matcher.mask(text)

    def groups(self) -> dict[str, list[str]]:
        """Source -> the terms from it, for the applicant's panel (in the order found); a source
        is named in the reader's language by `SOURCE_LABELS`."""
        out: dict[str, list[str]] = {}
        seen = set()
        for t in self.terms:
            if t.key and t.key not in seen:
                seen.add(t.key)
                out.setdefault(t.source.split(":")[0].replace(" (acronym)", ""), []).append(t.text)
        return out


def people_of(application) -> list[tuple[str, str]]:
    """(name, email) of everyone linked to the applying organizations (their members, and the
    contact person letters are addressed to, who may have no account), the author and uploaders."""
    orgs = [o for o in (application.organization, application.on_behalf_of) if o is not None]
    org_ids = [o.id for o in orgs]
    rows = db.session.execute(
        select(User.name, User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id.in_(org_ids)).order_by(User.id)
    ).all() if org_ids else []
    extra = {application.created_by_id} | {a.uploaded_by_id for a in application.attachments}
    extra.discard(None)
    if extra:
        rows += db.session.execute(select(User.name, User.email).where(User.id.in_(extra)).order_by(User.id)).all()
    rows += [(o.contact_name, None) for o in orgs if o.contact_name]
    return list(dict.fromkeys((n, e) for n, e in rows))


ADDED = "Terms you added"
# Where a term comes from (`Term.source`, before any ": address" or " (acronym)"), as the applicant
# reads it.
SOURCE_LABELS = {"Organization applied for": _l("Organization applied for"),
                 "Applying organization": _l("Applying organization"), "Network": _l("Network"),
                 "People": _l("People"), "Fiscal sponsor": _l("Fiscal sponsor"), ADDED: _l("Terms you added")}


def lexicon_for(application) -> Lexicon:
    """Everything that identifies the applicant of `application`."""
    terms: list[Term] = []
    main, behalf = application.organization, application.on_behalf_of
    for org, source in ((behalf, "Organization applied for"), (main, "Applying organization")):
        if org is not None:
            terms += organization_record_terms(org, source)
    for network in networks_of([o.id for o in (main, behalf) if o is not None]):
        terms += organization_record_terms(network, "Network", place=False)
    for name, email in people_of(application):
        terms += person_terms(name, email, "People")
    terms += [Term(t.text, "applicant", ADDED) for t in added_terms(application.id)]
    return Lexicon(terms)


def networks_of(org_ids: list[int]) -> list[Organization]:
    """The networks these organizations are members of (with their consent)."""
    if not org_ids:
        return []
    ids = select(NetworkMembership.network_id).where(NetworkMembership.member_id.in_(org_ids),
                                                     NetworkMembership.status == ACCEPTED)
    return list(db.session.execute(
        select(Organization).where(Organization.id.in_(ids)).order_by(Organization.id)).scalars())


def added_terms(application_id: int) -> list[BlindTerm]:
    return list(db.session.execute(
        select(BlindTerm).where(BlindTerm.application_id == application_id).order_by(BlindTerm.id)
    ).scalars())
