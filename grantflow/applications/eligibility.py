"""A program's eligibility rules checked against an applicant organization, so an applicant
learns which rule fails and why before investing time in an application."""
from __future__ import annotations

from dataclasses import dataclass

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
    profile = "Your profile" if own else f"The profile of {org.name}"
    failures: list[Failure] = []
    sponsored = bool(org.fiscal_sponsor_name and org.fiscal_sponsor_ein)
    if program.require_tax_exempt_or_sponsor and not org.tax_exempt and not sponsored:
        rule = f"{program.title} funds tax-exempt organizations, or organizations with a fiscal sponsor."
        if org.fiscal_sponsor_name or org.fiscal_sponsor_ein:
            reason, incomplete = (f"{rule} {profile} names a fiscal sponsor without both its legal name and its "
                                  f"EIN: {'add them' if own else 'they are needed'}."), True
        elif not org.ein:  # the tax question was never answered
            reason, incomplete = (f"{rule} {'Say in your profile' if own else f'{profile} does not say yet'} "
                                  f"whether {org.name} is tax-exempt, or {'name' if own else 'names'} a fiscal "
                                  f"sponsor with its EIN."), True
        else:
            reason, incomplete = f"{rule} {profile} says {org.name} is not tax-exempt and names no fiscal sponsor.", False
        failures.append(Failure("tax_exempt", "Tax-exempt status or a fiscal sponsor", reason, incomplete))
    ceiling = program.max_applicant_budget_cents
    if ceiling is not None:
        rule = (f"{program.title} is for organizations with an annual budget of at most "
                f"{format_money(ceiling, whole=True)}")
        if org.annual_budget_cents is None:
            add = "Add your annual budget to your profile" if own else f"{profile} gives no annual budget"
            failures.append(Failure("budget", "Annual budget", f"{rule}. {add}.", True))
        elif org.annual_budget_cents > ceiling:
            gives = (f"your profile gives {format_money(org.annual_budget_cents, whole=True)}" if own
                     else f"the profile of {org.name} gives a larger one")
            failures.append(Failure("budget", "Annual budget", f"{rule}; {gives}."))
    if program.require_service_area_in_region:
        funder = program.funder
        region = region or region_of(funder)
        codes = [str(c) for c in (org.service_area or [])]
        if region.prefixes or region.geoids:
            where = region_name(region.prefixes) if region.prefixes else "the places of its health needs assessment"
            if not codes:
                add = ("Add the places you serve to your profile so we can check." if own
                       else f"{profile} lists no places served, so we cannot check.")
                failures.append(Failure(
                    "service_area", "Service area", f"{funder.name} funds work inside its region ({where}). {add}",
                    True))
            elif not region.contains(codes):
                served = (f"your service area ({region_name(codes[:10])}{'…' if len(codes) > 10 else ''})" if own
                          else f"the service area of {org.name}")
                failures.append(Failure(
                    "service_area", "Service area",
                    f"{funder.name} funds work inside its region ({where}); none of the places in "
                    f"{served} is inside it."))
    return failures
