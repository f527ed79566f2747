"""A program's eligibility rules checked against an applicant organization, so an applicant
learns which rule fails and why before investing time in an application."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from grantflow.core.db import db
from grantflow.core.money import format_money


@dataclass(frozen=True)
class Failure:
    rule: str  # "tax_exempt", "budget", "service_area"
    label: str
    reason: str


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


def check(org, program, *, region: Region | None = None) -> list[Failure]:
    """Every rule of `program` that `org` fails, each with a plain reason; [] when eligible.
    `region` is the funder's (`region_of`), when the caller checks several organizations."""
    failures: list[Failure] = []
    if program.require_tax_exempt_or_sponsor and not org.tax_exempt and not (
            org.fiscal_sponsor_name and org.fiscal_sponsor_ein):
        failures.append(Failure(
            "tax_exempt", "Tax-exempt status or a fiscal sponsor",
            f"{program.title} funds tax-exempt organizations, or organizations with a fiscal sponsor. "
            f"Your profile says {org.name} is not tax-exempt and names no fiscal sponsor."))
    ceiling = program.max_applicant_budget_cents
    if ceiling is not None:
        if org.annual_budget_cents is None:
            failures.append(Failure(
                "budget", "Annual budget",
                f"{program.title} is for organizations with an annual budget of at most "
                f"{format_money(ceiling, whole=True)}. Add your annual budget to your profile."))
        elif org.annual_budget_cents > ceiling:
            failures.append(Failure(
                "budget", "Annual budget",
                f"{program.title} is for organizations with an annual budget of at most "
                f"{format_money(ceiling, whole=True)}; your profile gives "
                f"{format_money(org.annual_budget_cents, whole=True)}."))
    if program.require_service_area_in_region:
        funder = program.funder
        region = region or region_of(funder)
        codes = [str(c) for c in (org.service_area or [])]
        if region.prefixes or region.geoids:
            where = ", ".join(region.prefixes) if region.prefixes else "the places of its health needs assessment"
            if not codes:
                failures.append(Failure(
                    "service_area", "Service area",
                    f"{funder.name} funds work inside its region ({where}). Add the places you serve "
                    f"to your profile so we can check."))
            elif not region.contains(codes):
                failures.append(Failure(
                    "service_area", "Service area",
                    f"{funder.name} funds work inside its region ({where}); none of the places in your "
                    f"service area ({', '.join(codes[:10])}{'…' if len(codes) > 10 else ''}) is inside it."))
    return failures
