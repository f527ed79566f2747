"""Benchmark: rescoring 50,000 applications with every built-in rule on SQLite, against the floor.

The floor is only loading the rows the engine reads (`grantflow.facts.load_facts` plus
`grantflow.reviews.aggregate.rubric_scores`); the rescoring time includes that loading, every
rule over every application, and writing one result per (application, rule). Data comes from
`grantflow demo --applications N` in a temporary instance (its closed 2025 cycle).

usage: .venv/bin/python bench/scoring.py [--applications 50000] [--repeat 3] [--instance DIR]
The last line is `seconds=… floor_seconds=… ratio=…` (best of the repeats).
"""
from __future__ import annotations

import argparse
import logging
import time

from common import demo_instance


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--applications", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--instance", help="Reuse this instance folder's data (made by an earlier run).")
    args = ap.parse_args()

    t0 = time.perf_counter()
    instance, reused = demo_instance(args.applications, args.instance)
    print(f"instance: {instance}")

    from sqlalchemy import delete, func, select

    from grantflow import create_app
    from grantflow.core.db import db
    from grantflow.demo.build import BENCH_PROGRAM

    app = create_app()
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        print(f"data ready in {time.perf_counter() - t0:.1f} s ({'reused' if reused else 'grantflow demo'})")

        from grantflow.programs.models import Program, ProgramRule
        from grantflow.scoring import engine
        from grantflow.scoring.models import ScoreResult, ScoreRun
        from grantflow.scoring.registry import available_rules

        program = db.session.execute(select(Program).where(Program.slug == BENCH_PROGRAM)).scalar_one()
        program_id = program.id
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
