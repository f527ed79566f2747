"""The demo generator: realistic, deterministic for a seed, on both backends, and its command."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import func, select

from grantflow.accounts.models import Membership, User
from grantflow.accounts.services import authenticate
from grantflow.applications.models import STATUSES, Application
from grantflow.chna.models import Place, PriorityNeed
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from grantflow.demo.build import BENCH_PROGRAM, DEFAULT_PAST_APPLICATIONS, DEMO_PASSWORD, OPEN_PROGRAM, DemoExists, build_demo
from grantflow.feedback.models import BurdenSurvey
from grantflow.organizations.models import ACCEPTED, LeadershipProfile, NetworkMembership, Organization
from grantflow.programs.models import Program
from grantflow.reviews.models import CriterionScore, Review
from tests.conftest import make_app


def _quiet(*_args):
    pass


def _count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _digest() -> str:
    """A digest of columns the seed decides (ids and names, money, statuses, scores)."""
    h = hashlib.sha256()
    queries = (
        select(Organization.name, Organization.ein, Organization.annual_budget_cents, Organization.service_area)
        .order_by(Organization.id),
        select(Place.geoid, Place.need_index, Place.theme1, Place.is_priority).order_by(Place.id),
        select(Application.id, Application.organization_id, Application.status, Application.amount_requested_cents)
        .order_by(Application.id),
        select(Review.application_id, Review.reviewer_id, Review.status).order_by(Review.id),
        select(CriterionScore.review_id, CriterionScore.criterion_id, CriterionScore.score).order_by(CriterionScore.id),
        select(Decision.application_id, Decision.outcome, Decision.amount_cents).order_by(Decision.id),
        select(LeadershipProfile.organization_id, LeadershipProfile.ed_race, LeadershipProfile.board_poc)
        .order_by(LeadershipProfile.id),
    )
    for q in queries:
        for row in db.session.execute(q):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_demo_is_realistic(app):
    logins = build_demo(reset=False, seed=2026, n_applications=None, echo=_quiet)
    funder = db.session.execute(select(Organization).where(Organization.kind == "funder")).scalar_one()
    assert funder.name == "Riverside Community Health Foundation"
    roles = Counter(db.session.execute(select(Membership.role).where(Membership.organization_id == funder.id)).scalars())
    assert roles == {R.FUNDER_ADMIN: 1, R.PROGRAM_OFFICER: 2, R.REVIEWER: 6, R.COMMUNITY_ADVISOR: 3}

    # The CHNA: five ranked needs, housing first; forty tracts with SVI-style indices.
    needs = db.session.execute(select(PriorityNeed).order_by(PriorityNeed.rank)).scalars().all()
    assert [n.rank for n in needs] == [1, 2, 3, 4, 5] and needs[0].name.startswith("Housing")
    places = db.session.execute(select(Place)).scalars().all()
    assert len(places) == 40
    assert all(re.fullmatch(r"06065\d{6}", p.geoid) for p in places)
    assert all(0 <= v <= 1 for p in places for v in (p.need_index, p.theme1, p.theme2, p.theme3, p.theme4))
    assert 0 < sum(p.is_priority for p in places) < 40

    # Two cycles of one series: the open one, and a closed past one.
    programs = {p.slug: p for p in db.session.execute(select(Program)).scalars()}
    assert set(programs) == {OPEN_PROGRAM, BENCH_PROGRAM}
    assert programs[OPEN_PROGRAM].status == "published" and programs[BENCH_PROGRAM].status == "closed"
    assert programs[OPEN_PROGRAM].series == programs[BENCH_PROGRAM].series
    rubric = programs[OPEN_PROGRAM].current_rubric
    assert len(rubric.criteria) == 4 and all(len(c.anchors) == 5 for c in rubric.criteria)
    assert len(programs[OPEN_PROGRAM].questions) >= 3
    assert programs[OPEN_PROGRAM].max_applicant_budget_cents is not None

    # More CBOs than the closed cycle's applications, with varied profiles; networks with members.
    cbos = db.session.execute(select(Organization).where(Organization.kind == "cbo")).scalars().all()
    assert len(cbos) > DEFAULT_PAST_APPLICATIONS and len({c.name for c in cbos}) == len(cbos)
    assert all(re.fullmatch(r"\d{2}-\d{7}", c.ein) for c in cbos)
    budgets = [c.annual_budget_cents for c in cbos]
    assert 80_000_00 <= min(budgets) < 200_000_00 and 5_000_000_00 < max(budgets) <= 6_000_000_00
    assert _count(Organization, Organization.kind == "network") >= 3
    assert _count(NetworkMembership) >= 15  # three networks of five to eight
    # Every member accepted its network's invitation, so the networks can apply on their behalf.
    assert _count(NetworkMembership, NetworkMembership.status != ACCEPTED) == 0
    profiles = db.session.execute(select(LeadershipProfile)).scalars().all()
    declined = [p for p in profiles if p.ed_race == ["prefer_not_to_say"]]
    assert declined and len(profiles) < len(cbos)  # some decline, some never report
    assert len(profiles) - len(declined) > len(cbos) / 2  # most report, with consent
    assert all(p.consent_given_at is not None for p in profiles)

    # Applications in every status; reviews with per-criterion scores; decisions within budget.
    statuses = set(db.session.execute(select(Application.status)).scalars())
    assert statuses == set(STATUSES)
    assert _count(Review, Review.status == "submitted") > 60
    assert _count(CriterionScore) >= 4 * _count(Review, Review.status == "submitted")
    awarded = db.session.execute(select(func.sum(Decision.amount_cents))
                                 .where(Decision.outcome == "award")).scalar_one()
    assert 0 < awarded <= programs[BENCH_PROGRAM].budget_cents
    decided = db.session.execute(select(Application.status, Decision.outcome).join(
        Decision, Decision.application_id == Application.id)).all()
    assert {(s, o) for s, o in decided} == {("awarded", "award"), ("declined", "decline"),
                                           ("waitlisted", "waitlist")}
    assert _count(BurdenSurvey) >= 3

    # The printed logins work with the demo password.
    assert logins["password"] == DEMO_PASSWORD
    listed = dict(logins["users"])
    assert set(listed) >= {R.LABELS[r] for r in R.ALL_ROLES}
    for _role, email in logins["users"]:
        assert authenticate(email, DEMO_PASSWORD) is not None, email
    applicant = db.session.execute(select(User).where(User.email == listed["Applicant"])).scalar_one()
    assert _count(Application, Application.organization_id == applicant.memberships[0].organization_id) >= 1


def test_same_seed_same_rows_other_seed_other_rows(tmp_path):
    digests = []
    for n, seed in enumerate((7, 7, 8)):
        app = make_app(tmp_path / str(n))
        with app.app_context():
            db.create_all()
            build_demo(reset=False, seed=seed, n_applications=30, echo=_quiet)
            digests.append(_digest())
            db.session.remove()
            db.engine.dispose()
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_demo_on_postgresql_scales_and_ids_keep_working(pg_app):
    build_demo(reset=False, seed=1, n_applications=300, echo=_quiet)
    past = db.session.execute(select(Program).where(Program.slug == BENCH_PROGRAM)).scalar_one()
    assert _count(Application, Application.program_id == past.id) == 300
    assert _count(Organization, Organization.kind == "cbo") >= 300
    # Ids were given explicitly; the sequences were moved past them, so new rows insert fine.
    org = Organization(kind="cbo", name="After the demo", slug="after-the-demo")
    db.session.add(org)
    db.session.commit()
    assert org.id > _count(Organization) - 1


def test_an_existing_database_is_kept_unless_reset(app):
    build_demo(reset=False, seed=3, n_applications=5, echo=_quiet)
    with pytest.raises(DemoExists):
        build_demo(reset=False, seed=3, n_applications=5, echo=_quiet)


def test_demo_command_prints_logins_and_reset_rebuilds_with_migrations(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--applications", "12", "--seed", "5"])
    assert first.exit_code == 0, first.output
    assert "Demo logins (password for all: grantflow-demo)" in first.output
    assert "admin@rchf.example.org" in first.output and "reviewer1@rchf.example.org" in first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "--reset" in again.output
    kept = runner.invoke(args=["demo", "--if-empty"])  # what `make run` does every time
    assert kept.exit_code == 0 and "not loaded again" in kept.output
    reset = runner.invoke(args=["demo", "--reset", "--applications", "8"])
    assert reset.exit_code == 0, reset.output
    past = db.session.execute(select(Program).where(Program.slug == BENCH_PROGRAM)).scalar_one()
    assert _count(Application, Application.program_id == past.id) == 8
    from sqlalchemy import inspect

    assert inspect(db.engine).has_table("alembic_version")  # the reset schema came from the migrations
    assert runner.invoke(args=["demo-exists"]).exit_code == 0


def test_grantflow_demo_on_a_fresh_instance(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTFLOW_")}
    env["GRANTFLOW_INSTANCE_PATH"] = str(tmp_path / "instance")
    grantflow = os.path.join(os.path.dirname(sys.executable), "grantflow")
    r = subprocess.run([grantflow, "demo", "--applications", "10"], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Demo logins" in r.stdout and "admin@rchf.example.org" in r.stdout
    assert subprocess.run([grantflow, "demo-exists"], env=env, timeout=120).returncode == 0


def test_the_demo_pages_open_for_each_demo_login(app):
    """The demo data is whole enough for every area's main pages (as the demo's visitors see them)."""
    logins = dict(build_demo(reset=False, seed=2026, n_applications=None, echo=_quiet)["users"])
    user = {role: db.session.execute(select(User).where(User.email == email)).scalar_one()
            for role, email in logins.items()}
    programs = [OPEN_PROGRAM, BENCH_PROGRAM]
    pages = {
        "Funder admin": ["/dashboard", "/funders/riverside-health/people", "/funders/riverside-health/chna"],
        "Program officer": ["/dashboard"] + [f"/programs/{p}/{page}" for p in programs
                                             for page in ("manage", "board", "scoring", "audit")],
        "Community advisor": ["/dashboard"],
        "Applicant": ["/dashboard", f"/programs/{OPEN_PROGRAM}"],
        "Applicant (network)": ["/dashboard"],
    }
    reviewer = user["Reviewer"]
    assigned = db.session.execute(select(Review.application_id).where(Review.reviewer_id == reviewer.id)).scalars().first()
    pages["Reviewer"] = ["/dashboard", f"/reviews/{assigned}"]
    mine = db.session.execute(select(Application.id).where(
        Application.organization_id == user["Applicant"].memberships[0].organization_id)).scalars().all()
    pages["Applicant"] += [f"/applications/{a}" for a in mine]
    failures = []
    for role, urls in pages.items():
        client = app.test_client(user=user[role])
        for url in urls:
            status = client.get(url).status_code
            if status != 200:
                failures.append(f"{role} {url}: {status}")
            db.session.rollback()
    assert not failures, failures


def test_reset_on_postgresql_drops_the_data_and_rebuilds_the_schema_with_migrations(pg_app):
    from sqlalchemy import inspect

    from grantflow.demo.build import prepare_schema

    build_demo(reset=False, seed=2, n_applications=5, echo=_quiet)
    db.session.commit()
    prepare_schema(reset=True)
    assert inspect(db.engine).has_table("alembic_version")
    assert _count(Organization) == 0 and _count(Application) == 0
