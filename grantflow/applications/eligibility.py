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


def _in_region(codes: list[str], prefixes: list[str], place_geoids: set[str]) -> list[str]:
    return [c for c in codes if c in place_geoids or any(c.startswith(p) for p in prefixes)]


def check(org, program) -> list[Failure]:
    """Every rule of `program` that `org` fails, each with a plain reason; [] when eligible."""
    from grantflow.chna.models import Place

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
        prefixes = [str(p) for p in (funder.service_area or []) if p]
        geoids = set(db.session.execute(select(Place.geoid).where(Place.funder_id == funder.id)).scalars())
        codes = [str(c) for c in (org.service_area or [])]
        if prefixes or geoids:
            region = ", ".join(prefixes) if prefixes else "the places of its health needs assessment"
            if not codes:
                failures.append(Failure(
                    "service_area", "Service area",
                    f"{funder.name} funds work inside its region ({region}). Add the places you serve "
                    f"to your profile so we can check."))
            elif not _in_region(codes, prefixes, geoids):
                failures.append(Failure(
                    "service_area", "Service area",
                    f"{funder.name} funds work inside its region ({region}); none of the places in your "
                    f"service area ({', '.join(codes[:10])}{'…' if len(codes) > 10 else ''}) is inside it."))
    return failures
