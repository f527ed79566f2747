"""Benchmark: rescoring 50,000 applications with every built-in rule on SQLite, against the floor.

The floor is only loading the rows the engine reads (`grantflow.facts.load_facts` plus
`grantflow.reviews.aggregate.rubric_scores`); the rescoring time includes that loading, every
rule over every application, and writing one result per (application, rule). Data comes from
`grantflow demo --applications N` in a temporary instance; when the demo generator cannot build
it, the script inserts a comparable synthetic program itself (and says so).

usage: .venv/bin/python bench/scoring.py [--applications 50000] [--repeat 3]
The last line is `seconds=… floor_seconds=… ratio=…` (best of the repeats).
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def demo(instance: Path, n: int) -> bool:
    env = dict(os.environ, GRANTFLOW_INSTANCE_PATH=str(instance))
    exe = ROOT / ".venv" / "bin" / "grantflow"
    cmd = [str(exe) if exe.exists() else "grantflow", "demo", "--reset", "--applications", str(n)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        print(f"grantflow demo failed ({tail[0]}); building the data set with bulk inserts instead")
        return False
    return True


def synthetic(n: int, seed: int = 2026) -> None:
    """A funder, a program with a 3-criterion rubric, 5 CHNA needs, 300 places and n applications
    from n organizations with realistic profiles and two submitted reviews each."""
    from sqlalchemy import insert

    from grantflow.accounts.models import User
    from grantflow.applications.models import Application, application_needs, application_places
    from grantflow.chna.models import Place, PriorityNeed
    from grantflow.core.db import db, utcnow
    from grantflow.organizations.models import CommunityPractice, FeedbackLoop, LeadershipProfile, Organization
    from grantflow.programs.models import Criterion, Program, Rubric
    from grantflow.reviews.models import CriterionScore, Review

    rnd = random.Random(seed)
    now = utcnow()
    db.drop_all()  # a failed demo may have left a partial or older schema
    db.create_all()
    funder = Organization(kind="funder", slug="bench-funder", name="Bench Funder")
    db.session.add(funder)
    db.session.flush()
    program = Program(funder_id=funder.id, slug="bench", title="Bench program", status="published",
                      budget_cents=n * 10_000_00)
    db.session.add(program)
    db.session.flush()
    rubric = Rubric(program_id=program.id, version=1)
    db.session.add(rubric)
    db.session.flush()
    crits = []
    for i in range(3):
        c = Criterion(rubric_id=rubric.id, position=i, label=f"C{i}", weight=1 + i, scale_min=1, scale_max=5)
        db.session.add(c)
        crits.append(c)
    reviewers = [User(email=f"r{i}@bench.org", name=f"R{i}", password_hash="x") for i in range(40)]
    db.session.add_all(reviewers)
    db.session.flush()
    needs = [PriorityNeed(funder_id=funder.id, name=f"Need {i}", rank=i + 1) for i in range(5)]
    db.session.add_all(needs)
    db.session.flush()
    db.session.execute(insert(Place), [
        {"funder_id": funder.id, "geoid": f"36061{i:06d}", "name": f"Tract {i}", "kind": "tract",
         "need_index": rnd.random(), "population": rnd.randint(500, 8000), "is_priority": rnd.random() < 0.15,
         "imported_at": now} for i in range(300)])
    place_ids = [pid for (pid,) in db.session.execute(db.select(Place.id).where(Place.funder_id == funder.id))]
    db.session.execute(insert(Organization), [
        {"kind": "cbo", "slug": f"cbo-{i}", "name": f"CBO {i}", "tax_exempt": True, "service_area": [],
         "annual_budget_cents": rnd.choice([None, rnd.randint(50_000, 5_000_000) * 100]),
         "created_at": now, "updated_at": now} for i in range(n)])
    org_ids = [oid for (oid,) in db.session.execute(
        db.select(Organization.id).where(Organization.kind == "cbo").order_by(Organization.id))]
    races = [["black"], ["white"], ["hispanic", "white"], ["asian"], ["prefer_not_to_say"], None]
    db.session.execute(insert(LeadershipProfile), [
        {"organization_id": o, "consent_given_at": now if rnd.random() < 0.85 else None,
         "ed_race": rnd.choice(races), "board_total": (bt := rnd.randint(3, 15)),
         "board_poc": rnd.choice([None, rnd.randint(0, bt)]), "senior_total": (st := rnd.randint(1, 6)),
         "senior_poc": rnd.randint(0, st), "updated_at": now} for o in org_ids if rnd.random() < 0.9])
    db.session.execute(insert(CommunityPractice), [
        {"organization_id": o, "board_total": (bt := rnd.randint(3, 15)), "board_lived_experience": rnd.randint(0, bt),
         "board_in_service_area": rnd.randint(0, bt), "staff_total": (st := rnd.randint(1, 30)),
         "staff_lived_experience": rnd.randint(0, st), "staff_in_service_area": rnd.randint(0, st),
         "community_decision_power": rnd.choice([True, False, None]), "updated_at": now}
        for o in org_ids if rnd.random() < 0.8])
    db.session.execute(insert(FeedbackLoop), [
        {"organization_id": o, "method": rnd.choice(["survey", "listening session", "advisory council"]),
         "frequency": rnd.choice(["weekly", "monthly", "quarterly", "yearly", "ad hoc"]),
         "recent_change": rnd.choice(["", "Changed hours", None])}
        for o in org_ids for _ in range(rnd.randint(0, 2))])
    db.session.execute(insert(Application), [
        {"program_id": program.id, "organization_id": o, "status": "submitted", "title": f"Project {i}",
         "summary": "", "amount_requested_cents": rnd.randint(10, 100) * 1_000_00, "community_voice": "",
         "outcomes": [], "rubric_id": rubric.id, "editing_seconds": 0, "created_at": now, "updated_at": now,
         "submitted_at": now} for i, o in enumerate(org_ids)])
    app_ids = [a for (a,) in db.session.execute(
        db.select(Application.id).where(Application.program_id == program.id).order_by(Application.id))]
    db.session.execute(insert(application_needs), [
        {"application_id": a, "need_id": nd.id} for a in app_ids for nd in rnd.sample(needs, rnd.randint(0, 3))])
    db.session.execute(insert(application_places), [
        {"application_id": a, "place_id": p} for a in app_ids for p in rnd.sample(place_ids, rnd.randint(0, 3))])
    review_rows = []
    for a in app_ids:
        for r in rnd.sample(reviewers, 2 if rnd.random() < 0.9 else 0):
            review_rows.append({"application_id": a, "reviewer_id": r.id, "rubric_id": rubric.id, "status": "submitted",
                                "comment_to_applicant": "", "private_comment": "", "created_at": now,
                                "updated_at": now, "submitted_at": now})
    db.session.execute(insert(Review), review_rows)
    review_ids = [r for (r,) in db.session.execute(db.select(Review.id).order_by(Review.id))]
    db.session.execute(insert(CriterionScore), [
        {"review_id": r, "criterion_id": c.id, "score": rnd.randint(1, 5)} for r in review_ids for c in crits])
    db.session.commit()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--applications", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-demo", action="store_true", help="Build the data with bulk inserts directly.")
    ap.add_argument("--instance", help="Reuse this instance folder's data (made by an earlier run).")
    args = ap.parse_args()

    instance = Path(args.instance or tempfile.mkdtemp(prefix="grantflow-bench-"))
    os.environ["GRANTFLOW_INSTANCE_PATH"] = str(instance)
    os.environ.pop("DATABASE_URL", None)
    print(f"instance: {instance}")
    t0 = time.perf_counter()
    reuse = args.instance is not None and (instance / "grantflow.sqlite").exists()
    used_demo = reuse or (not args.no_demo and demo(instance, args.applications))

    from sqlalchemy import delete, func, select

    from grantflow import create_app
    from grantflow.core.db import db

    app = create_app()
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        if not used_demo:
            synthetic(args.applications)
        source = "reused" if reuse else ("grantflow demo" if used_demo else "bulk inserts")
        print(f"data ready in {time.perf_counter() - t0:.1f} s ({source})")

        from grantflow.applications.models import Application
        from grantflow.programs.models import Program, ProgramRule
        from grantflow.scoring import engine
        from grantflow.scoring.models import ScoreResult, ScoreRun
        from grantflow.scoring.registry import available_rules

        program_id = db.session.execute(
            select(Application.program_id).group_by(Application.program_id)
            .order_by(func.count().desc()).limit(1)).scalar_one()
        program = db.session.get(Program, program_id)
        builtin = [k for k, r in available_rules().items() if type(r).__module__.startswith("plugins.")]
        db.session.execute(delete(ProgramRule).where(ProgramRule.program_id == program_id))
        for key in builtin:
            db.session.add(ProgramRule(program_id=program_id, rule_key=key, enabled=True, weight=1, params={}))
        db.session.commit()
        configs = engine.resolve(engine.program_config(program), program)
        n_apps = len(engine.load_inputs(program, configs)[1])
        print(f"program {program.slug!r}: {n_apps} applications, rules: {', '.join(builtin)}")

        floors, runs, cpu_floors, cpu_runs = [], [], [], []
        for i in range(args.repeat):
            db.session.expire_all()
            t, c = time.perf_counter(), time.process_time()
            engine.load_inputs(program, configs)  # load_facts + rubric_scores, exactly as rescore does
            floors.append(time.perf_counter() - t)
            cpu_floors.append(time.process_time() - c)

            db.session.expire_all()
            t, c = time.perf_counter(), time.process_time()
            run = engine.rescore(program_id)
            db.session.commit()
            runs.append(time.perf_counter() - t)
            cpu_runs.append(time.process_time() - c)
            n_rows = db.session.execute(select(func.count()).where(ScoreResult.run_id == run.id)).scalar_one()
            print(f"repeat {i + 1}: floor {floors[-1]:.2f} s (cpu {cpu_floors[-1]:.2f}), "
                  f"rescore {runs[-1]:.2f} s (cpu {cpu_runs[-1]:.2f}), {n_rows} results")
            db.session.execute(delete(ScoreResult).where(ScoreResult.run_id == run.id))
            db.session.execute(delete(ScoreRun).where(ScoreRun.id == run.id))
            db.session.commit()
        seconds, floor = min(runs), min(floors)
    # CPU time of this process: less sensitive to other work on a shared machine than wall time.
    print(f"cpu_seconds={min(cpu_runs):.2f} cpu_floor_seconds={min(cpu_floors):.2f} "
          f"cpu_ratio={min(cpu_runs) / min(cpu_floors):.2f}")
    print(f"seconds={seconds:.2f} floor_seconds={floor:.2f} ratio={seconds / floor:.2f}")


if __name__ == "__main__":
    main()
