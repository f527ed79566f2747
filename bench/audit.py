"""Benchmark: the equity audit of a 50,000-application program, as JSON and as a PDF.

Each time is end to end: loading the facts, decisions, reviews and scores; every metric, test and
suppression pass; the findings; the cycle-by-cycle comparison of the series; then serializing
(JSON) or rendering the charts, tables and table of contents with WeasyPrint (PDF). Data comes from
`grantflow demo --applications N` in a temporary instance (its closed 2025 cycle, in a series with
the open 2026 cycle); when the demo generator cannot build it, the script bulk-inserts a comparable
synthetic program itself and says so.

usage: .venv/bin/python bench/audit.py [--applications 50000] [--repeat 2]
Aim on this machine: JSON under 5 s, PDF under 20 s. The last line is
`json_seconds=… pdf_seconds=…` (best of the repeats).
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
        print(f"grantflow demo failed ({tail[0]}); building a synthetic program with bulk inserts instead")
        return False
    return True


def synthetic(n: int, seed: int = 2026) -> str:
    """A funder with 300 places, a 3-criterion rubric, 60 reviewers, n organizations with varied
    profiles, n applications with two submitted reviews each, and decisions within the budget."""
    from sqlalchemy import insert

    from grantflow.accounts.models import User
    from grantflow.applications.models import Application, application_places
    from grantflow.chna.models import Place
    from grantflow.core.db import db, utcnow
    from grantflow.decisions.models import Decision
    from grantflow.organizations.models import LeadershipProfile, Organization
    from grantflow.programs.models import Criterion, Program, Rubric
    from grantflow.reviews.models import CriterionScore, Review

    rnd = random.Random(seed)
    now = utcnow()
    db.drop_all()
    db.create_all()
    funder = Organization(kind="funder", slug="bench-funder", name="Bench Funder")
    db.session.add(funder)
    db.session.flush()
    program = Program(funder_id=funder.id, slug="bench-audit", title="Bench audit program", status="closed",
                      budget_cents=n * 12_000_00)
    db.session.add(program)
    db.session.flush()
    rubric = Rubric(program_id=program.id, version=1)
    db.session.add(rubric)
    db.session.flush()
    crits = [Criterion(rubric_id=rubric.id, position=i, label=f"Criterion {i + 1}", weight=1 + i) for i in range(3)]
    db.session.add_all(crits)
    reviewers = [User(email=f"r{i}@bench.org", name=f"Reviewer {i}", password_hash="x") for i in range(60)]
    db.session.add_all(reviewers)
    db.session.flush()
    place_ids = [r for (r,) in db.session.execute(insert(Place).returning(Place.id), [
        {"funder_id": funder.id, "geoid": f"36061{i:06d}", "name": f"Tract {i}", "kind": "tract",
         "need_index": rnd.random(), "population": rnd.randint(500, 8000), "is_priority": rnd.random() < 0.15,
         "imported_at": now} for i in range(300)])]
    org_ids = [r for (r,) in db.session.execute(insert(Organization).returning(Organization.id), [
        {"kind": "cbo", "slug": f"org-{i}", "name": f"Org {i}", "tax_exempt": True, "service_area": [],
         "annual_budget_cents": rnd.choice([90_000_00, 400_000_00, 2_000_000_00, 8_000_000_00]),
         "created_at": now, "updated_at": now} for i in range(n)])]
    poc = [rnd.random() < 0.5 for _ in range(n)]
    db.session.execute(insert(LeadershipProfile), [
        {"organization_id": o, "consent_given_at": now, "ed_race": ["black"] if p else ["white"], "board_total": 8,
         "board_poc": 5 if p else 1, "senior_total": 3, "senior_poc": 2 if p else 0, "updated_at": now}
        for o, p in zip(org_ids, poc) if rnd.random() < 0.9])
    app_ids = [r for (r,) in db.session.execute(insert(Application).returning(Application.id), [
        {"program_id": program.id, "organization_id": o, "status": "declined", "title": "Work", "summary": "",
         "community_voice": "", "outcomes": [], "amount_requested_cents": rnd.randint(10, 100) * 1000_00,
         "rubric_id": rubric.id, "editing_seconds": 0, "created_at": now, "updated_at": now, "submitted_at": now}
        for o in org_ids])]
    db.session.execute(insert(application_places), [
        {"application_id": a, "place_id": p} for a in app_ids for p in rnd.sample(place_ids, rnd.randint(1, 3))])
    reviews, scores = [], []
    for a, p in zip(app_ids, poc):
        for r in rnd.sample(reviewers, 2):
            reviews.append({"application_id": a, "reviewer_id": r.id, "rubric_id": rubric.id, "status": "submitted",
                            "comment_to_applicant": "", "private_comment": "", "created_at": now, "updated_at": now,
                            "submitted_at": now})
    review_ids = [r for (r,) in db.session.execute(insert(Review).returning(Review.id), reviews)]
    for rid, rv in zip(review_ids, reviews):
        for c in crits:
            scores.append({"review_id": rid, "criterion_id": c.id, "score": rnd.randint(1, 5)})
    db.session.execute(insert(CriterionScore), scores)
    awarded = [a for a in app_ids if rnd.random() < 0.25]
    db.session.execute(insert(Decision), [
        {"application_id": a, "program_id": program.id, "outcome": "award", "amount_cents": 50_000_00,
         "rationale": "", "decided_at": now, "updated_at": now} for a in awarded])
    db.session.commit()
    return "bench-audit"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--applications", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    logging.disable(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="grantflow-bench-audit-") as tmp:
        instance = Path(tmp) / "instance"
        instance.mkdir()
        t = time.perf_counter()
        use_demo = demo(instance, args.applications)
        os.environ["GRANTFLOW_INSTANCE_PATH"] = str(instance)
        from sqlalchemy import func, select

        from grantflow import create_app
        from grantflow.core.db import db

        app = create_app()
        with app.app_context():
            if use_demo:
                from grantflow.demo import BENCH_PROGRAM as slug
            else:
                slug = synthetic(args.applications)
            from grantflow.applications.models import Application
            from grantflow.equity import exports
            from grantflow.equity.report import build_report
            from grantflow.programs.models import Program

            program = db.session.execute(select(Program).where(Program.slug == slug)).scalar_one()
            n = db.session.scalar(select(func.count()).select_from(Application).where(
                Application.program_id == program.id, Application.status != "draft"))
            print(f"data: {'grantflow demo' if use_demo else 'synthetic bulk insert'}, program {slug}, "
                  f"{n} applications ({time.perf_counter() - t:.1f} s to build)")

            json_times, pdf_times, json_cpu, pdf_cpu = [], [], [], []
            size_json = size_pdf = 0
            for i in range(args.repeat):
                t, c = time.perf_counter(), time.process_time()
                size_json = len(exports.to_json(build_report(program)))
                json_times.append(time.perf_counter() - t)
                json_cpu.append(time.process_time() - c)
                db.session.expire_all()
                t, c = time.perf_counter(), time.process_time()
                size_pdf = len(exports.to_pdf(build_report(program)))
                pdf_times.append(time.perf_counter() - t)
                pdf_cpu.append(time.process_time() - c)
                db.session.expire_all()
                print(f"run {i + 1}: json {json_times[-1]:.2f} s (cpu {json_cpu[-1]:.2f} s, {size_json:,} bytes), "
                      f"pdf {pdf_times[-1]:.2f} s (cpu {pdf_cpu[-1]:.2f} s, {size_pdf:,} bytes)")
            # Wall time is what a user waits; CPU time shows how much of it other load on the
            # machine added (both run in this one process).
            print(f"load average {os.getloadavg()[0]:.1f}; best cpu: json {min(json_cpu):.2f} s, pdf {min(pdf_cpu):.2f} s")
    print(f"json_seconds={min(json_times):.2f} pdf_seconds={min(pdf_times):.2f}")


if __name__ == "__main__":
    main()
