"""Deterministic demo and synthetic data: one hospital funder, its CHNA, two cycles of one program.

`grantflow demo` calls `build_demo`. The same seed gives the same rows (every random choice
comes from one `random.Random(seed)`; dates are anchored to today's midnight UTC). Rows go in with
bulk `insert(Model)` statements, so `--applications 50000` takes seconds, not minutes.

The story is the one the README tells: "Riverside Community Health Foundation" funds community
organizations from its hospital community-benefit program; its CHNA ranks housing first.
- The **2025 cycle** (closed, decisions released) holds `n_applications` applications, fully
  reviewed and decided within its budget; it is the program the benchmarks use (`BENCH_PROGRAM`).
  Its awards have payment schedules (some spread over two years), interim reports filed and
  reviewed (one stood in for by a conversation), and payments made since the grants began, some on
  hold (`make_post_award`).
- The **2026 cycle** is open: drafts, submissions, eligibility checks and reviews in progress.
Organizations vary in size, place, leadership and community-led practice; some decline to report
demographics. Larger budgets tilt rubric scores up a little, as polished proposals do, so the
equity audit has something real to find.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import random
import time
from decimal import Decimal
from typing import Callable

from sqlalchemy import func, insert, inspect, select, text

from grantflow.accounts.models import Membership, User
from grantflow.applications import models as A
from grantflow.chna.models import Place, PriorityNeed, ZipTract
from grantflow.core import auditlog, files
from grantflow.core import roles as R
from grantflow.core.auth import hash_password
from grantflow.core.db import db, utcnow
from grantflow.core.text import slugify
from grantflow.decisions.models import (
    AWARD, DECLINE, RELEASED, RELEASED_NOTICE, WAITLIST, Decision, DecisionVersion, Release,
)
from grantflow.feedback.models import AdvisorRanking, BurdenSurvey
from grantflow.organizations.models import (
    ACCEPTED, CBO, FUNDER, NETWORK, CommunityPractice, FeedbackLoop, LeadershipProfile, NetworkMembership,
    Organization,
)
from grantflow.programs.models import CLOSED, PUBLISHED, Criterion, CustomQuestion, Program, Rubric
from grantflow.reviews.models import CriterionScore, Review, ReviewAssignment

DEMO_PASSWORD = "grantflow-demo"
DEMO_DOMAIN = "example.org"
FUNDER_SLUG = "riverside-health"
OPEN_PROGRAM = "community-health-equity-2026"
BENCH_PROGRAM = "community-health-equity-2025"
DEFAULT_PAST_APPLICATIONS = 60
OPEN_APPLICATIONS = 38
COUNTY = "06065"  # Riverside County, California

NEEDS = (  # (name, weight, description); rank is the position, housing first as the CHNA found
    ("Housing stability and affordability", "0.30",
     "Rent burden, overcrowding and displacement were residents' first concern in every listening session."),
    ("Behavioral health and substance use", "0.25", "Access to culturally responsive mental-health support."),
    ("Access to healthy, affordable food", "0.20", "Food insecurity in neighborhoods without a full grocery store."),
    ("Economic security and good jobs", "0.15", "Wages, worker ownership and wealth that stays in the community."),
    ("Access to primary and preventive care", "0.10", "Insurance navigation, transport and language access."),
)
CONTACT_TITLES = ("Executive Director", "Director", "Co-Director", "Executive Director and Lead Organizer")
NEIGHBORHOODS = ("Eastside", "Casa Blanca", "Arlanza", "La Sierra", "Magnolia Center", "Jurupa Valley",
                 "Rubidoux", "Moreno Valley", "Perris", "Mead Valley", "Coachella", "Indio", "Mecca",
                 "Hemet", "San Jacinto", "Banning", "Desert Hot Springs", "Lake Elsinore", "Corona", "Thermal")
# The ZIP–tract crosswalk of the demo's tracts: tracts 2k and 2k+1 lie in NEIGHBORHOODS[k], with its
# ZIP code and the city the Postal Service prefers for it (a neighborhood name when it is part of
# a city); the second tract of each pair reaches into a second ZIP code as well.
HOOD_ZIPS = {
    "Eastside": ("92507", "Riverside"), "Casa Blanca": ("92504", "Riverside"), "Arlanza": ("92503", "Riverside"),
    "La Sierra": ("92505", "Riverside"), "Magnolia Center": ("92506", "Riverside"),
    "Jurupa Valley": ("92509", None), "Rubidoux": ("92509", "Jurupa Valley"), "Moreno Valley": ("92553", None),
    "Perris": ("92570", None), "Mead Valley": ("92570", "Perris"), "Coachella": ("92236", None),
    "Indio": ("92201", None), "Mecca": ("92254", None), "Hemet": ("92543", None),
    "San Jacinto": ("92583", None), "Banning": ("92220", None), "Desert Hot Springs": ("92240", None),
    "Lake Elsinore": ("92530", None), "Corona": ("92882", None), "Thermal": ("92274", None),
}
# (kind of organization, the CHNA need it mostly serves: index into NEEDS, a project title)
FOCUSES = (
    ("Community Land Trust", 0, "Permanently affordable homes on community-owned land"),
    ("Tenants Union", 0, "Tenant organizing and eviction defense"),
    ("Housing Cooperative", 0, "Resident-owned manufactured-home community"),
    ("Promotoras Network", 4, "Promotoras connecting families to preventive care"),
    ("Health Navigators", 4, "Insurance enrollment and care navigation"),
    ("Wellness Circle", 1, "Peer-led mental-health circles"),
    ("Recovery Collective", 1, "Recovery housing and peer support"),
    ("Food Cooperative", 2, "Member-owned grocery in a food desert"),
    ("Community Garden Alliance", 2, "Neighborhood gardens and a produce share"),
    ("Worker Center", 3, "Wage-theft clinics and a workers' cooperative incubator"),
    ("Workers' Cooperative", 3, "Worker-owned home-care cooperative"),
    ("Youth Collective", 1, "Youth-led wellness and leadership program"),
    ("Family Resource Center", 2, "Family resource hub with food and benefits help"),
    ("Elders Council", 4, "Home visits and care coordination for elders"),
)
FIRST = ("Ana", "Marcus", "Lupe", "Dmitri", "Keisha", "Tomás", "Mei", "Jamal", "Rosa", "Hiroshi", "Fatima",
         "Luis", "Grace", "Andre", "Nayeli", "Priya", "Samuel", "Yesenia", "Darnell", "Linh", "Omar", "Carmen")
LAST = ("Rivera", "Johnson", "Nguyen", "Hernández", "Washington", "Kim", "Okafor", "García", "Begay",
        "Patel", "Lopez", "Brooks", "Tran", "Martinez", "Yazzie", "Haddad", "Castillo", "Robinson", "Reyes")
LOOP_METHODS = ("Monthly community dinners with residents", "Door-to-door listening surveys",
                "Resident advisory council", "Text-message pulse survey after each visit",
                "Quarterly member assemblies", "Suggestion box and open office hours")
LOOP_CHANGES = ("Moved clinic hours to evenings after parents asked", "Added Spanish and Mixteco interpretation",
                "Members voted to prioritize repairs over new units", "Started childcare during meetings", "")
FREQUENCIES = ("weekly", "monthly", "quarterly", "yearly", "ad hoc")
COMMENTS = ("Clear plan rooted in what residents asked for.", "Strong partnerships; the budget needs more detail.",
            "Outcomes are realistic; consider how you will hear from participants.",
            "Compelling need; the timeline looks ambitious for the staff size.",
            "Residents lead the work; the evaluation plan is thin.")
RUBRIC = (  # label, weight, guidance, anchors for 1 / 3 / 5
    ("Community need and priority alignment", "30", "Does the work address a CHNA priority where need is highest?",
     ("No clear link to a CHNA priority", "Addresses a priority in part", "Directly addresses a top priority where need is highest")),
    ("Community leadership and voice", "25", "Do the people served shape and govern the work?",
     ("Decisions made without the community", "Community consulted", "Community sets the agenda and holds decision power")),
    ("Approach and feasibility", "25", "Can the plan be done with the people, time and money described?",
     ("Plan unclear or unrealistic", "Workable plan with gaps", "Clear, realistic plan and budget")),
    ("Learning and accountability", "20", "How will the organization learn and report back to its community?",
     ("No plan to learn or report back", "Some measures", "Regular feedback loops and shared measures")),
)
QUESTIONS = (
    dict(key="partners", kind="long_text", required=True, word_limit=200,
         label="Which partners will you work with, and how do residents take part in decisions?"),
    dict(key="people_served", kind="number", required=True, min_value=Decimal(1), max_value=Decimal(1_000_000),
         label="About how many people will this work reach in a year?"),
    dict(key="languages", kind="multiple_choice", required=False,
         options=["English", "Spanish", "Tagalog", "Vietnamese", "Korean", "Mixteco", "Other"],
         label="In which languages do you offer this work?"),
)
# Status paths: every application's history walks its path from draft.
PATHS = {
    A.DRAFT: (A.DRAFT,),
    A.SUBMITTED: (A.DRAFT, A.SUBMITTED),
    A.WITHDRAWN: (A.DRAFT, A.SUBMITTED, A.WITHDRAWN),
    A.INELIGIBLE: (A.DRAFT, A.SUBMITTED, A.INELIGIBLE),
    A.ELIGIBLE: (A.DRAFT, A.SUBMITTED, A.ELIGIBLE),
    A.UNDER_REVIEW: (A.DRAFT, A.SUBMITTED, A.ELIGIBLE, A.UNDER_REVIEW),
    A.RECOMMENDED: (A.DRAFT, A.SUBMITTED, A.ELIGIBLE, A.UNDER_REVIEW, A.RECOMMENDED),
}
for _final in (A.AWARDED, A.DECLINED, A.WAITLISTED):
    PATHS[_final] = (A.DRAFT, A.SUBMITTED, A.ELIGIBLE, A.UNDER_REVIEW, _final)
OPEN_MIX = ((A.DRAFT, 6), (A.SUBMITTED, 5), (A.ELIGIBLE, 4), (A.WITHDRAWN, 2), (A.UNDER_REVIEW, 17),
            (A.RECOMMENDED, 4))
PAST_MIX = ((A.WITHDRAWN, 3), (A.UNDER_REVIEW, 97))  # reviewed ones are decided later
MAX_APPLICANT_BUDGET = 5_000_000_00
MIN_AWARD, MAX_AWARD = 10_000_00, 75_000_00


class DemoExists(Exception):
    """The database already holds data and no reset was asked for."""


def bulk(model, rows: list[dict], *, ids: bool = False) -> list[int]:
    """Inserts many rows with one executemany (measured 5-7x faster than adding ORM objects).

    With `ids`, the rows get the next free ids here, in order, and those are returned: asking
    the database back for them (RETURNING) costs a round trip per row on SQLite.
    """
    if not rows:
        return []
    table = getattr(model, "__table__", model)
    new_ids: list[int] = []
    if ids:
        start = (db.session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        new_ids = list(range(start, start + len(rows)))
        for row, new_id in zip(rows, new_ids):
            row["id"] = new_id
    db.session.execute(insert(table), rows)
    return new_ids


def fix_sequences() -> None:
    """PostgreSQL's id sequences do not see ids given explicitly: move them past the largest."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))


def prepare_schema(reset: bool) -> None:
    """Creates the schema with the migrations; a reset drops every table first."""
    from flask_migrate import upgrade

    db.session.remove()  # an open transaction would block DROP TABLE on PostgreSQL
    if reset:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    insp = inspect(db.engine)
    # A schema made by create_all (as the tests do) has no alembic_version: use it as it is.
    if not (insp.has_table("organizations") and not insp.has_table("alembic_version")):
        upgrade()
    if db.session.execute(select(Organization.id).limit(1)).first() is not None:
        raise DemoExists("The database already holds data: run `grantflow demo --reset` to replace it.")


def draw_logo() -> bytes:
    """A simple mark (a river under a sun) in the funder's colours, as a PNG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 120), "white")
    pen = ImageDraw.Draw(image)
    pen.ellipse((20, 10, 100, 90), fill=(232, 160, 40))
    for k, y in enumerate((80, 96)):
        pen.arc((0, y - 30, 120, y + 30), 20, 160, fill=(20, 90, 160), width=8 - 2 * k)
    pen.rectangle((130, 38, 340, 50), fill=(20, 90, 160))
    pen.rectangle((130, 62, 300, 72), fill=(120, 150, 180))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def build_demo(*, reset: bool, seed: int, n_applications: int | None, echo: Callable = print,
               today: dt.datetime | None = None) -> dict:
    """Creates the demo; returns {"password": ..., "users": [(role label, email), ...], "programs": {...}}.

    Its dates are relative to `today` (default: now), at midnight UTC."""
    started = time.perf_counter()
    prepare_schema(reset)
    gen = DemoGenerator(seed, DEFAULT_PAST_APPLICATIONS if n_applications is None else n_applications, echo,
                        today=today)
    result = gen.run()
    fix_sequences()
    db.session.commit()
    echo(f"Generated in {time.perf_counter() - started:.1f} s.")
    try:
        from grantflow.scoring.engine import rescore
    except ImportError:
        pass
    else:
        started = time.perf_counter()
        for program_id in gen.program_ids.values():
            rescore(program_id)
        db.session.commit()
        echo(f"Scored both cycles with the programs' rules in {time.perf_counter() - started:.1f} s.")
    return result


class DemoGenerator:
    def __init__(self, seed: int, n_past: int, echo: Callable, today: dt.datetime | None = None):
        self.rng = random.Random(seed)
        self.n_past = max(0, n_past)
        self.echo = echo
        self.today = (today or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
        self.password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
        self.program_ids: dict[str, int] = {}

    def days(self, n: float) -> dt.datetime:
        return self.today + dt.timedelta(days=n)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def run(self) -> dict:
        logins = self.make_funder()
        self.make_chna()
        self.make_programs()
        n_cbos = max(40, math.ceil(self.n_past * 1.1))
        logins += self.make_organizations(n_cbos)
        self.make_applications()
        self.make_feedback()
        self.make_post_award()
        auditlog.record("demo.create", object_type="Organization", object_id=self.funder_id,
                        after={"applications": self.n_apps, "organizations": n_cbos})
        self.echo(f"Demo ready: {n_cbos} organizations, {self.n_apps} applications, {self.n_reviews} reviews.")
        return {"password": DEMO_PASSWORD, "users": logins,
                "programs": {"open": OPEN_PROGRAM, "past": BENCH_PROGRAM}}

    # --- the funder and its people -----------------------------------------------------------------

    def add_user(self, email: str, name: str, org_id: int, role: str, title: str | None = None) -> int:
        [uid] = bulk(User, [dict(email=email, name=name, password_hash=self.password_hash, active=True,
                                 email_verified_at=self.today)], ids=True)
        bulk(Membership, [dict(user_id=uid, organization_id=org_id, role=role, title=title)])
        return uid

    def make_letterhead(self) -> None:
        """The funder's letterhead, a drawn logo and its signatory, so letters can be issued at once, and
        a self-signed certificate in the instance folder, so they carry a PAdES signature."""
        from grantflow.letters.models import Letterhead
        from grantflow.letters import pades
        from grantflow.letters.render import letterhead_key

        logo = "demo-logo.png"
        files.write_new(letterhead_key(logo), draw_logo())
        pades.make_self_signed(pades.signing_folder(), "Riverside Community Health Foundation")
        bulk(Letterhead, [dict(funder_id=self.funder_id, name="", address="4445 Magnolia Avenue\nRiverside, CA 92501",
                               phone="(951) 555-0142", website="rchf.example.org", logo_stored_name=logo,
                               signatory_name="Renee Castillo", signatory_title="President and CEO")])

    def make_funder(self) -> list[tuple[str, str]]:
        [self.funder_id] = bulk(Organization, [dict(
            kind=FUNDER, slug=FUNDER_SLUG, name="Riverside Community Health Foundation", ein="95-4127730",
            tax_exempt=True, address_line1="4445 Magnolia Avenue", city="Riverside", state="CA",
            postal_code="92501", service_area=[COUNTY], annual_budget_cents=48_000_000_00, staff_size=22,
            year_founded=1997, website="https://rchf.example.org",
            mission="The community-benefit program of Riverside's nonprofit hospital: we fund what "
                    "communities identify as their health priorities, starting with housing.")], ids=True)
        d = f"rchf.{DEMO_DOMAIN}"
        self.make_letterhead()
        self.admin_id = self.add_user(f"admin@{d}", "Renee Castillo", self.funder_id, R.FUNDER_ADMIN)
        self.officer_ids = [self.add_user(f"officer{i}@{d}", name, self.funder_id, R.PROGRAM_OFFICER)
                            for i, name in ((1, "Marcus Okafor"), (2, "Linh Tran"))]
        self.reviewer_ids = [self.add_user(f"reviewer{i}@{d}", self.person(), self.funder_id, R.REVIEWER)
                             for i in range(1, 7)]
        self.advisor_ids = [self.add_user(f"advisor{i}@{d}", self.person(), self.funder_id, R.COMMUNITY_ADVISOR)
                            for i in range(1, 4)]
        # Reviewers' habits: some score high, some low (the calibration views need that).
        self.severity = {r: self.rng.gauss(0, 0.35) for r in self.reviewer_ids}
        return [(R.LABELS[R.FUNDER_ADMIN], f"admin@{d}"), (R.LABELS[R.PROGRAM_OFFICER], f"officer1@{d}"),
                (R.LABELS[R.REVIEWER], f"reviewer1@{d}"), (R.LABELS[R.COMMUNITY_ADVISOR], f"advisor1@{d}")]

    def crosswalk(self, geoids: list[str]) -> list[dict]:
        """The demo's ZIP–tract crosswalk (HOOD_ZIPS), without drawing from the seeded sequence."""
        lines = []
        for i, geoid in enumerate(geoids):
            hood = NEIGHBORHOODS[i // 2 % len(NEIGHBORHOODS)]
            zip_code, city = HOOD_ZIPS[hood]
            shares = [(zip_code, 0.5)] if i % 2 == 0 else [(zip_code, 0.5), (f"{int(zip_code) + 1:05d}", 0.2)]
            for z, ratio in shares:
                lines.append(dict(funder_id=self.funder_id, zip=z, geoid=geoid, city=(city or hood).upper(),
                                  state="CA", neighborhood=hood if city else None, res_ratio=ratio,
                                  bus_ratio=ratio, oth_ratio=ratio, tot_ratio=ratio,
                                  source="HUD USPS ZIP–tract crosswalk (demo lines)"))
        return lines

    def make_chna(self) -> None:
        self.need_ids = bulk(PriorityNeed, [
            dict(funder_id=self.funder_id, name=name, rank=i + 1, weight=Decimal(w), description=desc)
            for i, (name, w, desc) in enumerate(NEEDS)], ids=True)
        rows = []
        for i in range(40):
            tract = f"{400 + i // 2}{'.01' if i % 2 == 0 else '.02'}"
            overall = round(self.rng.random(), 4)
            themes = [round(min(1.0, max(0.0, overall + self.rng.uniform(-0.2, 0.2))), 4) for _ in range(4)]
            rows.append(dict(
                funder_id=self.funder_id, geoid=COUNTY + tract.replace(".", "").zfill(6), kind="tract",
                name=f"Census Tract {tract}; Riverside County; California", need_index=overall,
                theme1=themes[0], theme2=themes[1], theme3=themes[2], theme4=themes[3],
                population=self.rng.randint(1800, 8200), is_priority=overall >= 0.75,
                source="CDC/ATSDR SVI 2022 (synthetic demo values)"))
        self.place_ids = bulk(Place, rows, ids=True)
        bulk(ZipTract, self.crosswalk([r["geoid"] for r in rows]))
        self.place_need = {pid: r["need_index"] for pid, r in zip(self.place_ids, rows)}
        self.place_geoid = {pid: r["geoid"] for pid, r in zip(self.place_ids, rows)}
        rankings = []
        for n, advisor in enumerate(self.advisor_ids[:2]):
            order = list(range(len(self.need_ids)))
            if n:  # the second advisor puts food ahead of behavioral health
                order[1], order[2] = order[2], order[1]
            rankings += [dict(funder_id=self.funder_id, advisor_id=advisor, need_id=self.need_ids[i], rank=r + 1,
                              comment="Residents raised this at every listening session." if r == 0 else "")
                         for r, i in enumerate(order)]
        bulk(AdvisorRanking, rankings)

    def make_programs(self) -> None:
        common = dict(
            funder_id=self.funder_id, min_award_cents=MIN_AWARD, max_award_cents=MAX_AWARD,
            timezone="America/Los_Angeles", contact_name="Marcus Okafor", contact_email=f"officer1@rchf.{DEMO_DOMAIN}",
            require_tax_exempt_or_sponsor=True, max_applicant_budget_cents=MAX_APPLICANT_BUDGET,
            require_service_area_in_region=True, reviewers_per_application=3, series="community-health-equity",
            description="Grants of $10,000 to $75,000 for community-based organizations working on the "
                        "priorities of our Community Health Needs Assessment, led by housing. We prioritize "
                        "organizations led by people of color and community-led organizations with regular "
                        "feedback loops, and we ask only what we use.",
        )
        # Enough for about three in ten reviewed applications, however many there are.
        self.past_budget = past_budget = max(300_000_00, int(round(self.n_past * 0.3 * 35_000_00, -6)))
        specs = {
            "past": dict(slug=BENCH_PROGRAM, title="Community Health Equity Fund 2025", status=CLOSED, cycle_label="2025",
                         budget_cents=past_budget, opens_at=self.days(-400), closes_at=self.days(-340),
                         review_ends_at=self.days(-315), decisions_release_at=self.days(-300),
                         grant_start=self.days(-280).date(), grant_end=self.days(85).date()),
            "open": dict(slug=OPEN_PROGRAM, title="Community Health Equity Fund 2026", status=PUBLISHED,
                         cycle_label="2026", budget_cents=750_000_00, opens_at=self.days(-20),
                         closes_at=self.days(25), review_ends_at=self.days(55), decisions_release_at=self.days(70),
                         grant_start=self.days(90).date(), grant_end=self.days(455).date()),
        }
        self.criteria: dict[str, list[tuple[int, float]]] = {}
        self.rubric_ids: dict[str, int] = {}
        self.question_ids: dict[str, list[int]] = {}
        for key, spec in specs.items():
            [pid] = bulk(Program, [common | spec], ids=True)
            self.program_ids[key] = pid
            [self.rubric_ids[key]] = bulk(Rubric, [dict(program_id=pid, version=1)], ids=True)
            ids = bulk(Criterion, [
                dict(rubric_id=self.rubric_ids[key], position=i, label=label, guidance=guidance, weight=Decimal(w),
                     scale_min=1, scale_max=5,
                     anchors={"1": a1, "2": "Between 1 and 3", "3": a3, "4": "Between 3 and 5", "5": a5})
                for i, (label, w, guidance, (a1, a3, a5)) in enumerate(RUBRIC)], ids=True)
            self.criteria[key] = [(cid, float(w)) for cid, (_, w, _, _) in zip(ids, RUBRIC)]
            self.question_ids[key] = bulk(CustomQuestion, [
                dict(program_id=pid, position=i, help_text="", options=[], word_limit=None, min_value=None,
                     max_value=None) | q for i, q in enumerate(QUESTIONS)], ids=True)

    # --- community organizations ---------------------------------------------------------------------

    def org_row(self, i: int) -> dict:
        rng = self.rng
        hood, (kind_name, need, project) = NEIGHBORHOODS[i % len(NEIGHBORHOODS)], FOCUSES[(i * 7 + i // 20) % len(FOCUSES)]
        name = f"{hood} {kind_name}" + (f" {i // 280 + 1}" if i >= 280 else "")
        # Every twelfth organization fails the program's eligibility: too large, or no 501(c)(3)/sponsor.
        misfit = i % 12 == 7
        dollars = (rng.randint(5_100_000, 6_000_000) if misfit and i % 24 == 7
                   else int(round(math.exp(rng.uniform(math.log(80_000), math.log(4_900_000))), -3)))
        budget = dollars * 100
        exempt = not (misfit and i % 24 == 19) and rng.random() < 0.9
        sponsor = None if exempt or misfit else "Inland Empire Community Fiscal Partners"
        return dict(
            kind=CBO, slug=slugify(name), name=name,  # (neighborhood, focus, number) never repeats
            ein=f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}", tax_exempt=exempt,
            fiscal_sponsor_name=sponsor, fiscal_sponsor_ein="33-0456789" if sponsor else None,
            address_line1=f"{rng.randint(100, 9999)} {rng.choice(('Main', 'University', 'Park', 'Mission', 'Olive'))} Street",
            city=hood if hood not in ("Eastside", "Casa Blanca", "Arlanza", "La Sierra", "Magnolia Center") else "Riverside",
            state="CA", postal_code=f"92{rng.randint(500, 599)}", service_area=[],
            annual_budget_cents=budget, staff_size=max(1, budget // 85_000_00 + rng.randint(0, 3)),
            year_founded=rng.randint(1968, 2023), website=None,
            mission=f"{project}, led by and for the people of {hood}.",
            # From the organization's number, not the seeded sequence, so the rest of the demo is unchanged.
            contact_name=f"{FIRST[i * 7 % len(FIRST)]} {LAST[i * 11 % len(LAST)]}",
            contact_title=CONTACT_TITLES[i % len(CONTACT_TITLES)],
        ), need, project

    def make_organizations(self, n: int) -> list[tuple[str, str]]:
        rng = self.rng
        rows, self.org_need, self.org_project = [], [], []
        for i in range(n):
            row, need, project = self.org_row(i)
            places = rng.sample(self.place_ids, rng.randint(1, 3))
            row["service_area"] = [self.place_geoid[p] for p in places]
            rows.append(row)
            self.org_need.append(need)
            self.org_project.append(project)
        self.org_ids = bulk(Organization, rows, ids=True)
        self.orgs = {oid: row for oid, row in zip(self.org_ids, rows)}
        self.org_places = {oid: [pid for pid in self.place_ids if self.place_geoid[pid] in row["service_area"]]
                           for oid, row in self.orgs.items()}
        self.org_index = {oid: i for i, oid in enumerate(self.org_ids)}
        self.make_profiles()

        # Networks of CBOs: one for every fifteen organizations, each with five to eight members.
        n_networks = max(3, n // 15)
        net_names = [f"{NEIGHBORHOODS[k % len(NEIGHBORHOODS)]} Community Health Network" + (f" {k // 20 + 1}" if k >= 20 else "")
                     for k in range(n_networks)]
        self.network_ids = bulk(Organization, [dict(
            kind=NETWORK, slug=slugify(nm) + (f"-{k}" if k >= 20 else ""), name=nm, tax_exempt=True,
            ein=f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}", state="CA", city="Riverside",
            service_area=[COUNTY], annual_budget_cents=rng.randint(300_000, 2_500_000) * 100,
            staff_size=rng.randint(2, 12), year_founded=rng.randint(1995, 2020),
            mission="A network of community organizations sharing back-office services and advocacy.")
            for k, nm in enumerate(net_names)], ids=True)
        self.member_of: dict[int, int] = {}
        links, pool = [], rng.sample(self.org_ids, len(self.org_ids))  # each CBO in one network at most
        for net in self.network_ids:
            for member in [pool.pop() for _ in range(min(len(pool), rng.randint(5, 8)))]:
                self.member_of[member] = net
                invited = self.days(-rng.randint(60, 700))
                # Each member accepted its network's invitation (a network acts only with consent).
                links.append(dict(network_id=net, member_id=member, status=ACCEPTED, invited_at=invited,
                                  answered_at=invited + dt.timedelta(days=rng.randint(1, 20))))
        bulk(NetworkMembership, links)

        # Applicant accounts for the first forty organizations and the first networks.
        self.org_user: dict[int, int] = {}
        for oid in self.org_ids[:40]:
            email = f"director@{self.orgs[oid]['slug']}.{DEMO_DOMAIN}"
            self.org_user[oid] = self.add_user(email, self.person(), oid, R.APPLICANT, "executive director")
        for k, oid in enumerate(self.network_ids[:3], 1):
            self.org_user[oid] = self.add_user(f"coordinator{k}@network.{DEMO_DOMAIN}", self.person(), oid,
                                               R.APPLICANT, "network coordinator")
        first_cbo = f"director@{self.orgs[self.org_ids[0]]['slug']}.{DEMO_DOMAIN}"
        return [(R.LABELS[R.APPLICANT], first_cbo), (R.LABELS[R.APPLICANT] + " (network)", f"coordinator1@network.{DEMO_DOMAIN}")]

    def make_profiles(self) -> None:
        """Leadership (with consent for most), community-led practices and feedback loops."""
        rng = self.rng
        leaders, practices, loops = [], [], []
        self.poc_led: dict[int, bool] = {}
        for oid, org in self.orgs.items():
            small = org["annual_budget_cents"] < 1_000_000_00
            roll = rng.random()
            if roll < 0.12:
                pass  # never filled in the demographics section
            elif roll < 0.22:
                leaders.append(dict(organization_id=oid, consent_given_at=self.days(-rng.randint(30, 500)),
                                    consent_version="2025-1", ed_race=["prefer_not_to_say"], ed_race_other=None,
                                    board_total=None, board_poc=None, senior_total=None, senior_poc=None,
                                    declined=["board_total", "board_poc", "senior_total", "senior_poc"]))
            else:
                poc = rng.random() < (0.7 if small else 0.4)
                ed = rng.choice((["hispanic"], ["black"], ["asian"], ["aian"], ["hispanic", "white"], ["nhpi"],
                                 ["mena"])) if poc else ["white"]
                board = rng.randint(5, 15)
                senior = rng.randint(1, 6)
                senior_declined = rng.random() < 0.1
                leaders.append(dict(
                    organization_id=oid, consent_given_at=self.days(-rng.randint(30, 500)), consent_version="2025-1",
                    ed_race=ed, ed_race_other=None, board_total=board,
                    board_poc=round(board * rng.uniform(0.4, 1.0) if poc else board * rng.uniform(0, 0.45)),
                    senior_total=senior,  # senior staff mirror the director, as the board does
                    senior_poc=None if senior_declined else (rng.randint((senior + 1) // 2, senior) if poc
                                                             else rng.randint(0, (senior - 1) // 2)),
                    declined=["senior_poc"] if senior_declined else []))
                self.poc_led[oid] = poc
            if rng.random() < 0.65:
                board, staff = rng.randint(5, 15), max(1, org["staff_size"])
                led = rng.random() < (0.6 if small else 0.3)
                share = rng.uniform
                practices.append(dict(
                    organization_id=oid, board_total=board,
                    board_lived_experience=round(board * (share(0.5, 1) if led else share(0, 0.5))),
                    board_in_service_area=round(board * (share(0.5, 1) if led else share(0, 0.6))),
                    staff_total=staff, staff_lived_experience=round(staff * share(0.2, 0.9)),
                    staff_in_service_area=round(staff * share(0.3, 1.0)),
                    community_decision_power=led or rng.random() < 0.2,
                    decision_power_description="Residents hold a majority of board seats and vote on the budget."
                    if led else None))
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                loops.append(dict(organization_id=oid, method=rng.choice(LOOP_METHODS),
                                  frequency=rng.choice(FREQUENCIES), recent_change=rng.choice(LOOP_CHANGES) or None))
        bulk(LeadershipProfile, leaders)
        bulk(CommunityPractice, practices)
        bulk(FeedbackLoop, loops)

    # --- applications, reviews and decisions ------------------------------------------------------------

    def eligible(self, oid: int) -> bool:
        org = self.orgs[oid]
        return (org["tax_exempt"] or bool(org["fiscal_sponsor_name"])) and \
            org["annual_budget_cents"] <= MAX_APPLICANT_BUDGET

    def statuses(self, mix, n: int) -> list[str]:
        """Exactly proportional counts (so every status appears), in shuffled order."""
        total = sum(w for _, w in mix)
        out = [s for s, w in mix for _ in range(max(1, round(n * w / total)))]
        commonest = max(mix, key=lambda m: m[1])[0]
        out = (out + [commonest] * n)[:n]  # pads, or trims when rounding overshot
        self.rng.shuffle(out)
        return out

    def make_applications(self) -> None:
        rng = self.rng
        past_orgs = rng.sample(self.org_ids, min(self.n_past, len(self.org_ids)))
        # The open cycle: the named organizations first (they have logins), then a few returning.
        open_orgs = rng.sample(self.org_ids[:40], min(OPEN_APPLICATIONS, 40))
        if self.org_ids[0] not in open_orgs:
            open_orgs[0] = self.org_ids[0]
        past_set = set(past_orgs)
        self.n_apps = self.n_reviews = 0
        self.scores_by_app: dict[int, float] = {}
        for key, orgs, mix, submitted_day in (("past", past_orgs, PAST_MIX, -345), ("open", open_orgs, OPEN_MIX, -5)):
            first_time = {o: (rng.random() < 0.35 if key == "past" else o not in past_set) for o in orgs}
            apps = self.applications_for(key, orgs, self.statuses(mix, len(orgs)), submitted_day, first_time)
            self.reviews_for(key, apps)
            if key == "past":
                self.decide(apps)
            self.write_history(apps)
            self.n_apps += len(apps)

    def applications_for(self, key, orgs, statuses, submitted_day, first_time) -> list[dict]:
        rng = self.rng
        pid, qids = self.program_ids[key], self.question_ids[key]
        rows, needs, places, lines, answers = [], [], [], [], []
        network_applies = {}  # a network applies on behalf of one member in each cycle
        for oid in orgs:
            net = self.member_of.get(oid)
            if net in self.network_ids[:3] and net not in network_applies:
                network_applies[net] = oid
        on_behalf = {member: net for net, member in network_applies.items()}
        for oid, status in zip(orgs, statuses):
            if status not in (A.DRAFT, A.WITHDRAWN) and not self.eligible(oid):
                status = A.INELIGIBLE
            project = self.org_project[self.org_index[oid]]
            amount = min(MAX_AWARD, max(MIN_AWARD, round(rng.uniform(12_000, 80_000), -3) * 100))
            submitted = None if status == A.DRAFT else self.days(submitted_day - rng.uniform(0, 15))
            applicant = on_behalf.get(oid)
            rows.append(dict(
                program_id=pid, organization_id=applicant or oid, on_behalf_of_id=oid if applicant else None,
                created_by_id=self.org_user.get(applicant or oid), status=status, ref=None,
                title=project, summary=f"{project} in {self.orgs[oid]['city']}, shaped with the residents we serve.",
                amount_requested_cents=amount, community_voice="Residents sit on our design team and review "
                "progress with us every quarter." if rng.random() < 0.6 else "",
                outcomes=[{"metric": "People reached", "target": rng.randint(40, 900)}],
                rubric_id=self.rubric_ids[key], first_time_applicant=first_time[oid],
                editing_seconds=rng.randint(900, 30_000), last_edit_at=submitted or self.days(-rng.uniform(0, 10)),
                submitted_at=submitted))
        app_ids = bulk(A.Application, rows, ids=True)
        apps = []
        for app_id, row, oid in zip(app_ids, rows, orgs):
            idx = self.org_index[oid]
            main_need = self.need_ids[self.org_need[idx]]
            extra = [n for n in rng.sample(self.need_ids, rng.randint(0, 1)) if n != main_need]
            needs += [dict(application_id=app_id, need_id=n) for n in [main_need] + extra]
            places += [dict(application_id=app_id, place_id=p) for p in self.org_places[oid]]
            amount = row["amount_requested_cents"]
            staff = amount * 6 // 10
            lines += [dict(application_id=app_id, position=0, category="Personnel", description="Organizers and stipends",
                           amount_cents=staff),
                      dict(application_id=app_id, position=1, category="Program costs", description="Materials, food, space",
                           amount_cents=amount - staff)]
            if row["status"] != A.DRAFT or rng.random() < 0.5:
                answers += [
                    dict(application_id=app_id, question_id=qids[0],
                         value="We partner with the county clinic and two churches; residents vote on priorities."),
                    dict(application_id=app_id, question_id=qids[1], value=rng.randint(40, 2500)),
                    dict(application_id=app_id, question_id=qids[2], value=rng.sample(QUESTIONS[2]["options"][:6], 2)),
                ]
            # Latent merit, with a tilt toward larger budgets (polish), plus place need.
            budget = self.orgs[oid]["annual_budget_cents"]
            tilt = 0.35 * (math.log(budget / 100) - math.log(600_000)) / 2
            apps.append(dict(id=app_id, org=oid, status=row["status"], amount=amount,
                             merit=rng.gauss(0, 0.8) + tilt, submitted_at=row["submitted_at"]))
        bulk(A.application_needs, needs)
        bulk(A.application_places, places)
        bulk(A.BudgetLine, lines)
        bulk(A.Answer, answers)
        return apps

    def reviews_for(self, key: str, apps: list[dict]) -> None:
        rng = self.rng
        reviewed = [a for a in apps if a["status"] in (A.UNDER_REVIEW, A.RECOMMENDED)]
        assignments, plans = [], []
        for a in reviewed:
            for reviewer in rng.sample(self.reviewer_ids, 3):
                roll = rng.random()
                state = "submitted" if key == "past" or a["status"] == A.RECOMMENDED or roll < 0.65 else \
                    ("draft" if roll < 0.82 else None)
                assignments.append(dict(application_id=a["id"], reviewer_id=reviewer, assigned_by_id=self.officer_ids[0],
                                        status="assigned", assigned_at=a["submitted_at"] + dt.timedelta(days=3),
                                        no_conflict_confirmed_at=None if state is None else a["submitted_at"] + dt.timedelta(days=4)))
                plans.append((a, reviewer, state))
        assignment_ids = bulk(ReviewAssignment, assignments, ids=True)
        review_rows, review_plans = [], []
        for assignment_id, (a, reviewer, state) in zip(assignment_ids, plans):
            if state is None:
                continue
            at = a["submitted_at"] + dt.timedelta(days=rng.uniform(5, 20))
            review_rows.append(dict(assignment_id=assignment_id, application_id=a["id"], reviewer_id=reviewer,
                                    reviewer_label=None, rubric_id=self.rubric_ids[key], status=state,
                                    comment_to_applicant=rng.choice(COMMENTS), private_comment="",
                                    submitted_at=at if state == "submitted" else None))
            review_plans.append((a, reviewer, state))
        review_ids = bulk(Review, review_rows, ids=True)
        scores = []
        criteria = self.criteria[key]
        total_w = sum(w for _, w in criteria)
        for review_id, (a, reviewer, state) in zip(review_ids, review_plans):
            weighted = 0.0
            for n, (cid, w) in enumerate(criteria):
                value = min(5, max(1, round(3 + a["merit"] + self.severity[reviewer] + rng.gauss(0, 0.6))))
                if state == "draft" and n >= 2:
                    value = None  # a draft in progress: later criteria not scored yet
                scores.append(dict(review_id=review_id, criterion_id=cid, score=value))
                weighted += w * (value or 0)
            if state == "submitted":
                a.setdefault("weighted", []).append(weighted / total_w)
        bulk(CriterionScore, scores)
        self.n_reviews += len(review_rows)

    def decide(self, apps: list[dict]) -> None:
        """Awards the best-scored applications within the budget; waitlists the next few; declines the rest."""
        reviewed = sorted((a for a in apps if a.get("weighted")),
                          key=lambda a: (-sum(a["weighted"]) / len(a["weighted"]), a["id"]))
        budget = self.past_budget
        waitlist_left = max(1, len(reviewed) // 10)
        rows = []
        self.awards: list[dict] = []
        for a in reviewed:
            if a["amount"] <= budget:
                outcome, amount, budget = AWARD, a["amount"], budget - a["amount"]
                a["status"] = A.AWARDED
                self.awards.append(a)
            elif waitlist_left:
                outcome, amount, waitlist_left = WAITLIST, 0, waitlist_left - 1
                a["status"] = A.WAITLISTED
            else:
                outcome, amount = DECLINE, 0
                a["status"] = A.DECLINED
            rows.append(dict(application_id=a["id"], program_id=self.program_ids["past"], outcome=outcome,
                             amount_cents=amount, rationale="Ranked by the panel's scores and the program's priorities.",
                             decided_by_id=self.officer_ids[0], decided_at=self.days(-305)))
        # Released on the cycle's release date, every kind at once, and each applicant told.
        released = self.days(-300)
        [release_id] = bulk(Release, [dict(
            program_id=self.program_ids["past"], outcomes=[AWARD, DECLINE, WAITLIST], status=RELEASED,
            scheduled_for=released, hold_until=released, confirmed_count=len(rows), told_count=len(rows), reason="",
            site_url="", message_ids=[], created_by_id=self.officer_ids[0], created_at=self.days(-301),
            performed_at=released)], ids=True)
        for row in rows:
            row.update(released_at=released, release_id=release_id, notified_at=released)
        decision_ids = bulk(Decision, rows, ids=True)
        bulk(DecisionVersion, [dict(decision_id=did, number=1, kind=RELEASED_NOTICE, outcome=row["outcome"],
                                    amount_cents=row["amount_cents"], reason="", visible_from=released,
                                    release_id=release_id, created_by_id=self.officer_ids[0], created_at=released)
                               for did, row in zip(decision_ids, rows)])
        by_status: dict[str, list[int]] = {}
        for a in reviewed:
            by_status.setdefault(a["status"], []).append(a["id"])
        for status, ids in by_status.items():
            for chunk in range(0, len(ids), 10_000):
                db.session.execute(A.Application.__table__.update()
                                   .where(A.Application.id.in_(ids[chunk:chunk + 10_000])).values(status=status))

    def write_history(self, apps: list[dict]) -> None:
        rows = []
        for a in apps:
            start = a["submitted_at"] or self.days(-3)  # the submission; a draft began six days before
            for n, (before, after) in enumerate(zip((None,) + PATHS[a["status"]], PATHS[a["status"]])):
                rows.append(dict(application_id=a["id"], from_status=before, to_status=after, note="",
                                 actor_id=self.org_user.get(a["org"]) if n < 2 else self.officer_ids[0],
                                 at=start + dt.timedelta(days=4 * (n - 1) if n else -6)))
        bulk(A.StatusChange, rows)

    # --- feedback ---------------------------------------------------------------------------------------

    def make_feedback(self) -> None:
        """A few burden surveys per cycle; a third of them anonymous (no application, date only)."""
        rng = self.rng
        rows = []
        for key, pid in self.program_ids.items():
            submitted = db.session.execute(select(A.Application.id).where(
                A.Application.program_id == pid, A.Application.submitted_at.is_not(None))
                .order_by(A.Application.id)).scalars().all()
            for app_id in rng.sample(submitted, max(3, len(submitted) // 4) if len(submitted) >= 3 else len(submitted)):
                anonymous = rng.random() < 0.33
                rows.append(dict(
                    program_id=pid, application_id=None if anonymous else app_id,
                    hours_spent=round(rng.uniform(3, 40), 1), who_helped=rng.sample(["staff", "board", "volunteer", "consultant"], rng.randint(1, 2)),
                    clarity=rng.randint(2, 5), fairness=rng.randint(2, 5), respect=rng.randint(3, 5), burden=rng.randint(1, 5),
                    what_to_change=rng.choice(("Shorter budget form, please.", "Let us answer by phone or video.",
                                               "Tell us earlier how you score.", "")),
                    submitted_on=(self.days(-330) if key == "past" else self.days(-2)).date()))
        bulk(BurdenSurvey, rows)

    # --- after the award --------------------------------------------------------------------------------

    def make_post_award(self) -> None:
        """The past cycle's awards: signed agreements, schedules (a fifth spread over two years), an
        interim report due half-way (most filed and accepted, one talked through instead, one sent
        back for changes) and a final one still to come; the payments made so far, a few on hold.
        Payments are conditioned on the agreement and on the interim report; the Schedule H line
        follows the kind of work (housing and jobs are community building)."""
        from grantflow.awards.models import (
            ACCEPTED as REVIEW_ACCEPTED, AGREEMENT_SIGNED, CHANGES_REQUESTED, NO_CONDITION, ON_HOLD, PAID,
            REPORT_ACCEPTED, SCHEDULED, AwardTerms, Instalment, ReportReview,
        )
        from grantflow.feedback.models import FINAL, INTERIM, ProgressReport

        rng = self.rng
        start = self.days(-280).date()
        interim_due, final_due = start + dt.timedelta(days=180), self.days(115).date()
        classes = {0: "part2_1", 3: "part2_2"}  # housing: physical improvements; jobs: economic development
        terms, reports, reviews, instalments = [], [], [], []
        report_ids = iter(range((db.session.execute(select(func.max(ProgressReport.id))).scalar() or 0) + 1, 10**9))
        for n, a in enumerate(self.awards):
            signed = self.days(-282 + rng.randint(-4, 3))
            terms.append(dict(application_id=a["id"], agreement_signed_at=signed, agreement_signed_by_id=self.org_user.get(a["org"]),
                              schedule_h=classes.get(self.org_need[self.org_index[a["org"]]])))
            interim, final = next(report_ids), next(report_ids)
            roll = rng.random()
            filed = roll < 0.85 and n % 9 != 4
            measures = {"items": [{"metric": "People reached", "target": str(t), "actual": str(round(t * rng.uniform(0.5, 1.1)))}
                                  for t in (rng.randint(40, 900),)]} if filed else {}
            reports += [dict(id=interim, application_id=a["id"], kind=INTERIM, due_on=interim_due, measures=measures,
                             submitted_at=self.days(-100 + rng.randint(-10, 12)) if filed else None,
                             submitted_by_id=self.org_user.get(a["org"]) if filed else None,
                             how_funder_could_help="Fewer questions in the final report, please." if filed and roll < 0.2 else ""),
                        dict(id=final, application_id=a["id"], kind=FINAL, due_on=final_due, measures={}, submitted_at=None,
                             submitted_by_id=None, how_funder_could_help="")]
            accepted = filed and n % 7 != 3
            if accepted or (filed and n % 7 == 3):
                reviews.append(dict(report_id=interim, state=REVIEW_ACCEPTED if accepted else CHANGES_REQUESTED,
                                    note="" if accepted else "Please add how many people you reached in the spring.",
                                    conversation_on=None, reviewed_by_id=self.officer_ids[0], reviewed_at=self.days(-80 + rng.randint(-5, 5))))
            elif n % 9 == 4:  # trust-based: a site visit instead of a written report
                reviews.append(dict(report_id=interim, state=REVIEW_ACCEPTED, conversation_on=self.days(-85).date(),
                                    note="Site visit with the director and two residents: the work is on track.",
                                    reviewed_by_id=self.officer_ids[1], reviewed_at=self.days(-85)))
                accepted = True
            two_years = n % 5 == 2
            parts = (40, 40, 20) if not two_years else (30, 25, 25, 20)
            shares = [a["amount"] * p // 100 for p in parts]
            shares[0] += a["amount"] - sum(shares)
            dues = [start, interim_due + dt.timedelta(days=30), final_due + dt.timedelta(days=30)]
            if two_years:
                dues = [start, interim_due + dt.timedelta(days=30), start + dt.timedelta(days=365), final_due + dt.timedelta(days=395)]
            conditions = [(AGREEMENT_SIGNED, None), (REPORT_ACCEPTED, interim), (REPORT_ACCEPTED, final)]
            if two_years:
                conditions = [(AGREEMENT_SIGNED, None), (REPORT_ACCEPTED, interim), (NO_CONDITION, None), (REPORT_ACCEPTED, final)]
            for k, (cents, due, (condition, report_id)) in enumerate(zip(shares, dues, conditions)):
                status, paid_on, reason = SCHEDULED, None, ""
                if k == 0:
                    status, paid_on = PAID, (signed + dt.timedelta(days=rng.randint(3, 12))).date()
                elif k == 1 and accepted:
                    if n % 11 == 6:
                        status, reason = ON_HOLD, "Waiting for the fiscal sponsor's updated agreement."
                    else:
                        status, paid_on = PAID, self.days(-70 + rng.randint(-6, 6)).date()
                instalments.append(dict(application_id=a["id"], amount_cents=cents, due_on=due, condition=condition,
                                        condition_report_id=report_id, status=status, paid_on=paid_on,
                                        method=rng.choice(("ach", "ach", "check")) if paid_on else None,
                                        reference=f"RCHF-{a['id']:05d}-{k + 1}" if paid_on else "",
                                        paid_by_id=self.officer_ids[1] if paid_on else None,
                                        paid_recorded_at=dt.datetime.combine(paid_on, dt.time(17), dt.timezone.utc) if paid_on else None,
                                        reason=reason, created_at=signed, updated_at=signed))
        bulk(AwardTerms, terms)
        bulk(ProgressReport, reports)
        bulk(ReportReview, reviews)
        bulk(Instalment, instalments)
