"""Past cycles from a funder's spreadsheets (`grantflow import-history`), so the audit covers them.

Every row of both files is checked first; any bad row (a line that is not UTF-8 text too) is
reported by file, line and reason and nothing at all is imported. The columns are documented in
README.md ("Importing past cycles").
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from sqlalchemy import select

from grantflow.core import auditlog
from grantflow.core.db import db, utcnow
from grantflow.core.money import MoneyError, dollars_to_cents
from grantflow.core.textfile import decode_csv

REQUIRED = ("ref", "organization", "ein", "poc_led", "community_led", "places", "requested", "awarded", "decision")
# Optional columns that map to the organization's profile (kept only for organizations created here
# or with no profile yet) or to the application.
INT_COLUMNS = ("board_total", "board_poc", "senior_total", "senior_poc", "staff_total",
               "practice_board_total", "board_lived_experience", "board_in_service_area")
OPTIONAL = INT_COLUMNS + ("annual_budget", "ed_race", "first_time", "community_decision_power", "title")
REVIEW_COLUMNS = ("ref", "reviewer", "criterion", "score")
DECISIONS = {"awarded": ("award", "awarded"), "declined": ("decline", "declined"),
             "waitlisted": ("waitlist", "waitlisted"), "withdrawn": (None, "withdrawn")}
YES_NO = {"yes": True, "no": False, "": None}
GEOID = re.compile(r"^(\d{2}|\d{5}|\d{11}|\d{12})$")
EIN = re.compile(r"^(\d{2})-?(\d{7})$")
PLACE_KINDS = {2: "state", 5: "county", 11: "tract", 12: "block_group"}
MAX_COUNT = 1_000_000  # people on a board or staff
MAX_SCORE = 1_000


class HistoryImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Row:
    line: int
    ref: str
    organization: str
    ein: Optional[str]
    poc_led: Optional[bool]
    community_led: Optional[bool]
    places: list[str]
    requested: Optional[int]
    awarded: int
    decision: str
    profile: dict = field(default_factory=dict)
    first_time: Optional[bool] = None
    title: str = ""


@dataclass
class ImportResult:
    program_slug: str
    created_program: bool
    applications: int
    reviews: int
    organizations_created: int


def _read(data: str | bytes, name: str, required: tuple, allowed: tuple,
          errors: list[str]) -> list[tuple[int, dict]]:
    """The rows of one file by line number; its problems go to `errors`. A line that is not text
    is reported as such, and nothing else about it."""
    text, bad_lines = decode_csv(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    errors.extend(f"{name} line {n}: {reason}" for n, reason in bad_lines.items())
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if 1 in bad_lines:
        return []
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required + allowed]
    if missing:
        errors.append(f"{name} line 1: missing column(s) {', '.join(missing)}")
    if unknown:
        errors.append(f"{name} line 1: unknown column(s) {', '.join(unknown)} "
                      f"(accepted: {', '.join(required + allowed)})")
    if missing or unknown:
        return []
    reader.fieldnames = header
    rows = []
    for rec in reader:
        if reader.line_num in bad_lines:
            continue
        if None in rec:
            errors.append(f"{name} line {reader.line_num}: more values than columns")
            continue
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in rec.items()}))
    if not rows:
        errors.append(f"{name}: no rows to import")
    return rows


def _money(value: str, column: str, problems: list[str]) -> Optional[int]:
    try:
        cents = dollars_to_cents(value)
    except MoneyError as exc:
        problems.append(f"{column} {value!r}: {exc}")
        return None
    if cents is not None and cents < 0:
        problems.append(f"{column} cannot be negative")
    return cents


def _whole(raw: str, low: int, high: int) -> Optional[int]:
    """The whole number in ASCII digits, when within low..high."""
    if not re.fullmatch(r"-?[0-9]{1,12}", raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _parse_application(line: int, rec: dict, seen: set, existing: set) -> tuple[Optional[Row], list[str]]:
    p: list[str] = []
    ref = rec["ref"]
    if not ref:
        p.append("ref is empty")
    elif ref in seen:
        p.append(f"ref {ref!r} appears twice in the file")
    elif ref in existing:
        p.append(f"ref {ref!r} is already imported into this program")
    seen.add(ref)
    if not rec["organization"]:
        p.append("organization is empty")
    ein = None
    if rec["ein"]:
        m = EIN.match(rec["ein"])
        if not m:
            p.append(f"ein must look like 12-3456789, not {rec['ein']!r}")
        else:
            ein = f"{m.group(1)}-{m.group(2)}"
    flags = {}
    for col in ("poc_led", "community_led", "first_time", "community_decision_power"):
        raw = rec.get(col, "").lower()
        if raw not in YES_NO:
            p.append(f"{col} must be yes, no or empty, not {rec[col]!r}")
        flags[col] = YES_NO.get(raw)
    places = [g.strip() for g in rec["places"].split(";") if g.strip()]
    for g in places:
        if not GEOID.match(g):
            p.append(f"place {g!r} is not a geoid (2, 5, 11 or 12 digits)")
    requested = _money(rec["requested"], "requested", p)
    awarded = _money(rec["awarded"], "awarded", p) or 0
    decision = rec["decision"].lower()
    if decision not in DECISIONS:
        p.append(f"decision must be one of {', '.join(DECISIONS)}, not {rec['decision']!r}")
    elif decision == "awarded" and awarded <= 0:
        p.append("awarded must be more than 0 when the decision is awarded")
    elif decision != "awarded" and awarded:
        p.append(f"awarded must be empty or 0 when the decision is {decision}")
    profile = {}
    for col in INT_COLUMNS:
        raw = rec.get(col, "")
        if raw == "":
            continue
        count = _whole(raw, 0, MAX_COUNT)
        if count is None:
            p.append(f"{col} must be a whole number from 0 to {MAX_COUNT:,}, not {raw!r}")
        else:
            profile[col] = count
    for part, total in (("board_poc", "board_total"), ("senior_poc", "senior_total"),
                        ("board_lived_experience", "practice_board_total"),
                        ("board_in_service_area", "practice_board_total")):
        if part in profile and total in profile and profile[part] > profile[total]:
            p.append(f"{part} ({profile[part]}) is more than {total} ({profile[total]})")
    if rec.get("annual_budget"):
        profile["annual_budget_cents"] = _money(rec["annual_budget"], "annual_budget", p)
    if rec.get("ed_race"):
        from grantflow.organizations.demographics import CODES, PREFER_NOT

        codes = [c.strip() for c in rec["ed_race"].split(";") if c.strip()]
        bad = [c for c in codes if c not in CODES and c != PREFER_NOT]
        if bad:
            p.append(f"ed_race has unknown categories {', '.join(bad)} (use {', '.join(CODES)} or {PREFER_NOT})")
        profile["ed_race"] = codes
    if flags.get("community_decision_power") is not None:
        profile["community_decision_power"] = flags["community_decision_power"]
    if p:
        return None, p
    return Row(line, ref, rec["organization"], ein, flags["poc_led"], flags["community_led"], places, requested,
               awarded, decision, profile, flags.get("first_time"), rec.get("title", "")), []


def import_history(program_slug: str, applications_csv: str | bytes, reviews_csv: str | bytes | None = None, *,
                   funder_slug: Optional[str] = None, title: Optional[str] = None, series: Optional[str] = None,
                   cycle_label: Optional[str] = None, data_vintage: Optional[str] = None,
                   source: str = "applications.csv", reviews_source: str = "reviews.csv") -> ImportResult:
    """Validates both files completely, then imports everything in the current transaction (the
    caller commits); raises HistoryImportError with every problem and adds nothing otherwise."""
    from grantflow.applications.models import Application
    from grantflow.organizations.models import Organization
    from grantflow.programs.slugs import by_slug

    errors: list[str] = []
    program = by_slug(program_slug)
    funder = None
    if program is None:
        if funder_slug:
            funder = db.session.execute(select(Organization).where(
                Organization.slug == funder_slug, Organization.kind == "funder")).scalar_one_or_none()
            if funder is None:
                errors.append(f"--funder: no funder with the slug {funder_slug!r}")
        else:
            funders = db.session.execute(select(Organization).where(Organization.kind == "funder")).scalars().all()
            if len(funders) == 1:
                funder = funders[0]
            else:
                errors.append(f"program {program_slug!r} does not exist: name its funder with --funder SLUG "
                              f"({len(funders)} funders are registered)")
    elif funder_slug and program.funder.slug != funder_slug:
        errors.append(f"program {program_slug!r} belongs to {program.funder.slug!r}, not {funder_slug!r}")
    existing = set()
    if program is not None:
        existing = {r for (r,) in db.session.execute(select(Application.ref).where(
            Application.program_id == program.id, Application.ref.is_not(None)))}

    rows: list[Row] = []
    seen: set[str] = set()
    for line, rec in _read(applications_csv, source, REQUIRED, OPTIONAL, errors):
        row, problems = _parse_application(line, rec, seen, existing)
        errors.extend(f"{source} line {line}: {msg}" for msg in problems)
        if row:
            rows.append(row)
    review_rows = []
    if reviews_csv is not None:
        refs = {r.ref for r in rows} | existing
        seen_reviews: set[tuple] = set()
        for line, rec in _read(reviews_csv, reviews_source, REVIEW_COLUMNS, (), errors):
            p = []
            if not rec["ref"]:
                p.append("ref is empty")
            elif rec["ref"] not in refs and rec["ref"] not in seen:
                p.append(f"ref {rec['ref']!r} is not in the applications file")
            for col in ("reviewer", "criterion"):
                if not rec[col]:
                    p.append(f"{col} is empty")
            if _whole(rec["score"], -MAX_SCORE, MAX_SCORE) is None:
                p.append(f"score must be a whole number from {-MAX_SCORE:,} to {MAX_SCORE:,}, not {rec['score']!r}")
            key = (rec["ref"], rec["reviewer"].lower(), rec["criterion"].lower())
            if key in seen_reviews:
                p.append("the same reviewer scored the same criterion of this application twice")
            seen_reviews.add(key)
            errors.extend(f"{reviews_source} line {line}: {msg}" for msg in p)
            if not p:
                review_rows.append(rec)
    if errors:
        raise HistoryImportError(errors)
    return _write(program, funder, program_slug, rows, review_rows, title=title, series=series,
                  cycle_label=cycle_label, data_vintage=data_vintage, source=source)


def _write(program, funder, slug, rows: list[Row], review_rows: list[dict], *, title, series, cycle_label,
           data_vintage, source) -> ImportResult:
    from grantflow.applications.models import Application
    from grantflow.chna.models import Place
    from grantflow.chna.vintage import freeze_closed
    from grantflow.core.text import unique_slug
    from grantflow.decisions.models import Decision
    from grantflow.equity.models import HistoricalClassification
    from grantflow.organizations.models import CommunityPractice, LeadershipProfile, Organization
    from grantflow.programs.models import CLOSED, Program

    # Closed cycles keep their places: the places made below for unknown geoids are new to them
    # (not to the cycle being imported, which uses them).
    if program is None:
        freeze_closed(funder.id)
    else:
        freeze_closed(program.funder_id, exclude=program.id)
    created = program is None
    if created:
        program = Program(funder=funder, slug=slug, title=title or slug.replace("-", " ").title(), status=CLOSED,
                          is_historical=True, series=series, cycle_label=cycle_label, data_vintage=data_vintage,
                          description="Past cycle imported from the funder's records.")
        db.session.add(program)
        db.session.flush()
        auditlog.record("program.import_history", program, after={"slug": slug, "historical": True})
    funder_id = program.funder_id
    places = {p.geoid: p for p in db.session.execute(select(Place).where(Place.funder_id == funder_id)).scalars()}
    by_ein = {o.ein: o for o in db.session.execute(select(Organization).where(
        Organization.ein.in_({r.ein for r in rows if r.ein}))).scalars()} if any(r.ein for r in rows) else {}
    by_name = {}
    orgs_created = 0
    apps: dict[str, Application] = {}
    for r in rows:
        org = by_ein.get(r.ein) if r.ein else by_name.get(r.organization.lower())
        if org is None:
            org = Organization(kind="cbo", name=r.organization, slug=unique_slug(Organization, r.organization), ein=r.ein,
                               tax_exempt=bool(r.ein), service_area=list(r.places),
                               annual_budget_cents=r.profile.get("annual_budget_cents"))
            db.session.add(org)
            db.session.flush()
            orgs_created += 1
            if r.ein:
                by_ein[r.ein] = org
            by_name[r.organization.lower()] = org
        lp = {k: r.profile[k] for k in ("board_total", "board_poc", "senior_total", "senior_poc", "ed_race")
              if k in r.profile}
        if lp and db.session.execute(select(LeadershipProfile.id).where(
                LeadershipProfile.organization_id == org.id)).first() is None:
            db.session.add(LeadershipProfile(organization_id=org.id, consent_given_at=utcnow(),
                                             consent_version="import-history", **lp))
        cp = {k: r.profile[k] for k in ("staff_total", "board_lived_experience", "board_in_service_area",
                                         "community_decision_power") if k in r.profile}
        if "practice_board_total" in r.profile:
            cp["board_total"] = r.profile["practice_board_total"]
        if cp and db.session.execute(select(CommunityPractice.id).where(
                CommunityPractice.organization_id == org.id)).first() is None:
            db.session.add(CommunityPractice(organization_id=org.id, **cp))
        outcome, status = DECISIONS[r.decision]
        app = Application(program_id=program.id, organization_id=org.id, status=status, ref=r.ref,
                          title=r.title or f"{r.organization} ({r.ref})", amount_requested_cents=r.requested,
                          first_time_applicant=r.first_time, submitted_at=program.closes_at or utcnow(),
                          rubric_id=program.current_rubric.id if program.current_rubric else None)
        for g in r.places:
            if g not in places:
                places[g] = Place(funder_id=funder_id, geoid=g, name=g, kind=PLACE_KINDS.get(len(g), "tract"),
                                  source="import-history")
                db.session.add(places[g])
            app.places.append(places[g])
        db.session.add(app)
        db.session.flush()
        apps[r.ref] = app
        if outcome:
            db.session.add(Decision(application_id=app.id, program_id=program.id, outcome=outcome,
                                    amount_cents=r.awarded if outcome == "award" else 0,
                                    rationale="Imported from the funder's records."))
        db.session.add(HistoricalClassification(application_id=app.id, poc_led=r.poc_led,
                                                community_led=r.community_led, source=source))
    n_reviews = 0
    if review_rows:
        n_reviews = _write_reviews(program, apps, review_rows)
    db.session.flush()
    auditlog.record("program.import_history_rows", program,
                    after={"applications": len(rows), "reviews": n_reviews, "source": source})
    return ImportResult(program.slug, created, len(rows), n_reviews, orgs_created)


def _write_reviews(program, apps: dict, review_rows: list[dict]) -> int:
    from grantflow.accounts.models import User
    from grantflow.applications.models import Application
    from grantflow.programs.models import Criterion, Rubric
    from grantflow.reviews.models import SUBMITTED, CriterionScore, Review

    rubric = program.current_rubric
    if rubric is None:
        rubric = Rubric(program=program, version=1)
        db.session.add(rubric)
    criteria = {c.label.lower(): c for c in rubric.criteria}
    scores = [int(r["score"]) for r in review_rows]
    lo, hi = min(scores + [1]), max(scores + [5])
    for r in review_rows:
        key = r["criterion"].lower()
        if key not in criteria:
            criteria[key] = Criterion(label=r["criterion"], position=len(criteria), weight=Decimal(1),
                                      scale_min=min(lo, 1), scale_max=hi, guidance="Imported criterion.")
            rubric.criteria.append(criteria[key])
    db.session.flush()
    users = {u.email.lower(): u for u in db.session.execute(select(User)).scalars()} if review_rows else {}
    if any(r["ref"] not in apps for r in review_rows):
        for a in db.session.execute(select(Application).where(Application.program_id == program.id)).scalars():
            apps.setdefault(a.ref, a)
    reviews: dict[tuple, Review] = {}
    for r in review_rows:
        app = apps[r["ref"]]
        who = r["reviewer"]
        key = (app.id, who.lower())
        if key not in reviews:
            user = users.get(who.lower())
            reviews[key] = Review(application_id=app.id, rubric_id=rubric.id, status=SUBMITTED,
                                  submitted_at=utcnow(), reviewer_id=user.id if user else None,
                                  reviewer_label=None if user else who)
            db.session.add(reviews[key])
            if app.rubric_id is None:
                app.rubric_id = rubric.id
        reviews[key].scores.append(CriterionScore(criterion_id=criteria[r["criterion"].lower()].id,
                                                  score=int(r["score"])))
    return len(reviews)
