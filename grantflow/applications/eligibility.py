"""A program's eligibility rules checked against an applicant organization, so an applicant
learns which rule fails and why before investing time in an application."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from grantflow.chna.names import region_name
from grantflow.core.db import db
from grantflow.core.money import format_money


@dataclass(frozen=True)
class Failure:
    """A rule not met. `incomplete`: the profile does not say yet (nothing to hold against the
    applicant: it is told what to complete, never that it "does not meet" the rule)."""

    rule: str  # "tax_exempt", "budget", "service_area"
    label: str
    reason: str
    incomplete: bool = False


def only_incomplete(failures: list[Failure]) -> bool:
    return bool(failures) and all(f.incomplete for f in failures)


@dataclass(frozen=True)
class Region:
    """Where a funder funds work: its service-area code prefixes and its CHNA places' codes."""

    prefixes: tuple[str, ...]
    geoids: frozenset[str]

    def contains(self, codes: list[str]) -> bool:
        return any(c in self.geoids or any(c.startswith(p) for p in self.prefixes) for c in codes)


def region_of(funder) -> Region:
    from grantflow.chna.models import Place

    return Region(tuple(str(p) for p in (funder.service_area or []) if p),
                  frozenset(db.session.execute(select(Place.geoid).where(Place.funder_id == funder.id)).scalars()))


def check(org, program, *, region: Region | None = None, own: bool = True) -> list[Failure]:
    """Every rule of `program` that `org` fails, each with a plain reason; [] when eligible.

    `region` is the funder's (`region_of`), when the caller checks several organizations.
    `own=False` when the reader is not `org` itself (a network applying on a member's behalf): the
    reasons then name the rule but never the member's figures (its budget, its places)."""
    failures: list[Failure] = []
    sponsored = bool(org.fiscal_sponsor_name and org.fiscal_sponsor_ein)
    if program.require_tax_exempt_or_sponsor and not org.tax_exempt and not sponsored:
        rule = _("%(program)s funds tax-exempt organizations, or organizations with a fiscal sponsor.",
                 program=program.title)
        if org.fiscal_sponsor_name or org.fiscal_sponsor_ein:
            incomplete = True
            said = (_("Your profile names a fiscal sponsor without both its legal name and its EIN: add them.") if own
                    else _("The profile of %(org)s names a fiscal sponsor without both its legal name and its EIN: "
                           "they are needed.", org=org.name))
        elif not org.ein:  # the tax question was never answered
            incomplete = True
            said = (_("Say in your profile whether %(org)s is tax-exempt, or name a fiscal sponsor with its EIN.",
                      org=org.name) if own
                    else _("The profile of %(org)s does not say yet whether it is tax-exempt, or names a fiscal "
                           "sponsor with its EIN.", org=org.name))
        else:
            incomplete = False
            said = (_("Your profile says %(org)s is not tax-exempt and names no fiscal sponsor.", org=org.name) if own
                    else _("The profile of %(org)s says it is not tax-exempt and names no fiscal sponsor.",
                           org=org.name))
        failures.append(Failure("tax_exempt", _("Tax-exempt status or a fiscal sponsor"), f"{rule} {said}", incomplete))
    ceiling = program.max_applicant_budget_cents
    if ceiling is not None:
        names = {"program": program.title, "ceiling": format_money(ceiling, whole=True), "org": org.name}
        if org.annual_budget_cents is None:
            reason = (_("%(program)s is for organizations with an annual budget of at most %(ceiling)s. Add your "
                        "annual budget to your profile.", **names) if own
                      else _("%(program)s is for organizations with an annual budget of at most %(ceiling)s. The "
                             "profile of %(org)s gives no annual budget.", **names))
            failures.append(Failure("budget", _("Annual budget"), reason, True))
        elif org.annual_budget_cents > ceiling:
            reason = (_("%(program)s is for organizations with an annual budget of at most %(ceiling)s; your profile "
                        "gives %(budget)s.", budget=format_money(org.annual_budget_cents, whole=True), **names) if own
                      else _("%(program)s is for organizations with an annual budget of at most %(ceiling)s; the "
                             "profile of %(org)s gives a larger one.", **names))
            failures.append(Failure("budget", _("Annual budget"), reason))
    if program.require_service_area_in_region:
        funder = program.funder
        region = region or region_of(funder)
        codes = [str(c) for c in (org.service_area or [])]
        if region.prefixes or region.geoids:
            names = {"funder": funder.name, "org": org.name,
                     "where": region_name(region.prefixes) if region.prefixes
                     else _("the places of its health needs assessment")}
            if not codes:
                reason = (_("%(funder)s funds work inside its region (%(where)s). Add the places you serve to your "
                            "profile so we can check.", **names) if own
                          else _("%(funder)s funds work inside its region (%(where)s). The profile of %(org)s lists "
                                 "no places served, so we cannot check.", **names))
                failures.append(Failure("service_area", _("Service area"), reason, True))
            elif not region.contains(codes):
                places = region_name(codes[:10]) + ("…" if len(codes) > 10 else "")
                reason = (_("%(funder)s funds work inside its region (%(where)s); none of the places in your service "
                            "area (%(places)s) is inside it.", places=places, **names) if own
                          else _("%(funder)s funds work inside its region (%(where)s); none of the places in the "
                                 "service area of %(org)s is inside it.", **names))
                failures.append(Failure("service_area", _("Service area"), reason))
    return failures
