"""Benchmark: the equity audit of a 50,000-application program, as JSON and as a PDF.

Each time is end to end: loading the facts, decisions, reviews and scores; every metric, test and
suppression pass; the findings; the cycle-by-cycle comparison of the series; then serializing
(JSON) or rendering the charts, tables and table of contents with WeasyPrint (PDF). Data comes from
`grantflow demo --applications N` in a temporary instance (its closed 2025 cycle, in a series with
the open 2026 cycle).

usage: .venv/bin/python bench/audit.py [--applications 50000] [--repeat 2] [--instance DIR]

Aims, as ratios to a floor measured in the same run (the machine is shared and its speed drifts):
the floor is the bare cost of reading the rows the audit reads most of — every criterion score,
review and application of the program, fetched raw through the driver — plus one fixed pure-Python
pass over them (a tuple and a dict entry per row). Both sides are CPU seconds of this one process,
and the floor is measured twice just before and twice just after each timed export (the least of
the four is used: the sample least disturbed by a neighbour), so other load on the machine, which
stretches wall time several-fold, changes the ratio far less.
Aims: `json_ratio` (cold JSON CPU seconds / floor) under JSON_AIM_RATIO = 5.0 and `pdf_ratio`
under PDF_AIM_RATIO = 20.0. They were set on a machine where the floor measured FLOOR_QUIET =
1.0 CPU second (0.98–1.06 s beside the exports), where they are the issue's 5 s for the JSON and
20 s for the PDF, quiet, where wall time and CPU time agree. A faster machine has a smaller floor
and about the same ratios: for the same code, json_ratio read 14.9–16.5 with the floor at
0.7–1.0 s on one machine and 16.3 with it at 0.52 s on another. Every run starts cold: the program's standings,
which the audit reads and the app keeps while the data is unchanged (grantflow/core/memo.py), are
dropped first, so each time includes scoring every application. The "warm" figures repeat the JSON
export with the standings kept, as a second export of an unchanged cycle runs. The last line is
`json_seconds=… pdf_seconds=… json_warm_seconds=… floor_seconds=… json_ratio=… pdf_ratio=…
json_aim_ratio=… pdf_aim_ratio=…` (seconds: best of the repeats; ratios: best of each run's ratio).
"""
from __future__ import annotations

import argparse
import logging
import os
import time

from common import demo_instance

FLOOR_QUIET = 1.0  # the floor's CPU seconds on this machine (the aims: 5 s and 20 s over it)
JSON_AIM_RATIO = round(5.0 / FLOOR_QUIET, 1)
PDF_AIM_RATIO = round(20.0 / FLOOR_QUIET, 1)


def floor(program_id: int) -> float:
    """CPU seconds to fetch the audit's largest row sets raw and make one plain pass over them."""
    from sqlalchemy import select

    from grantflow.applications.models import Application
    from grantflow.core.db import driver_rows
    from grantflow.reviews.models import CriterionScore, Review

    c = time.process_time()
    of_program = Application.program_id == program_id
    sets = (
        driver_rows(select(CriterionScore.review_id, CriterionScore.criterion_id, CriterionScore.score)
                    .join(Review, Review.id == CriterionScore.review_id)
                    .join(Application, Application.id == Review.application_id).where(of_program)),
        driver_rows(select(Review.id, Review.application_id, Review.reviewer_id, Review.status)
                    .join(Application, Application.id == Review.application_id).where(of_program)),
        driver_rows(select(Application.id, Application.status, Application.organization_id,
                           Application.amount_requested_cents).where(of_program)),
    )
    seen: dict = {}
    for rows in sets:
        for row in rows:
            seen[row[0]] = (row[1], row[-1])
    return time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--applications", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--instance", help="Reuse this instance folder's demo data (made by an earlier run).")
    args = ap.parse_args()
    logging.disable(logging.WARNING)

    t = time.perf_counter()
    instance, reused = demo_instance(args.applications, args.instance)
    from sqlalchemy import func, select

    from grantflow import create_app
    from grantflow.applications.models import Application
    from grantflow.core import memo
    from grantflow.core.db import db
    from grantflow.demo.build import BENCH_PROGRAM as slug
    from grantflow.equity import exports
    from grantflow.equity.report import build_report
    from grantflow.programs.models import Program

    with create_app().app_context():
        program = db.session.execute(select(Program).where(Program.slug == slug)).scalar_one()
        n = db.session.scalar(select(func.count()).select_from(Application).where(
            Application.program_id == program.id, Application.status != "draft"))
        print(f"data: grantflow demo{' (reused)' if reused else ''} in {instance}, program {slug}, "
              f"{n} applications ({time.perf_counter() - t:.1f} s to build)")

        floor(program.id)  # warm the page cache: every floor reads what is already in memory
        json_times, pdf_times, json_cpu, pdf_cpu, warm_times, floors = [], [], [], [], [], []
        json_ratios, pdf_ratios = [], []

        def timed(export, cold: bool) -> tuple[float, float, int, float]:
            """(wall s, cpu s, bytes, floor cpu s: the least of two just before and two just after; a warm
            export, which no aim is stated for, is timed without a floor)."""
            before = min(floor(program.id), floor(program.id)) if cold else None
            db.session.expire_all()
            if cold:
                memo.forget()
            t, c = time.perf_counter(), time.process_time()
            size = len(export(build_report(program)))
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            db.session.expire_all()
            return wall, cpu, size, (min(before, floor(program.id), floor(program.id)) if cold else 0.0)

        for i in range(args.repeat):
            wall, cpu, size_json, fl = timed(exports.to_json, True)
            json_times.append(wall), json_cpu.append(cpu), floors.append(fl), json_ratios.append(cpu / fl)
            warm_times.append(timed(exports.to_json, False)[0])
            wall, cpu, size_pdf, fl = timed(exports.to_pdf, True)
            pdf_times.append(wall), pdf_cpu.append(cpu), floors.append(fl), pdf_ratios.append(cpu / fl)
            print(f"run {i + 1}: json {json_times[-1]:.2f} s (cpu {json_cpu[-1]:.2f} s, {size_json:,} bytes; "
                  f"ratio {json_ratios[-1]:.2f}; warm {warm_times[-1]:.2f} s), "
                  f"pdf {pdf_times[-1]:.2f} s (cpu {pdf_cpu[-1]:.2f} s, {size_pdf:,} bytes; ratio {pdf_ratios[-1]:.2f}); "
                  f"floor {floors[-2]:.3f} / {floors[-1]:.3f} s", flush=True)
        # Wall time is what a user waits; CPU time shows how much of it other load on the
        # machine added (both run in this one process).
        print(f"load average {os.getloadavg()[0]:.1f}; best cpu: json {min(json_cpu):.2f} s, pdf {min(pdf_cpu):.2f} s")
    print(f"json_seconds={min(json_times):.2f} pdf_seconds={min(pdf_times):.2f} json_warm_seconds={min(warm_times):.2f} "
          f"floor_seconds={min(floors):.3f} json_ratio={min(json_ratios):.2f} pdf_ratio={min(pdf_ratios):.2f} "
          f"json_aim_ratio={JSON_AIM_RATIO} pdf_aim_ratio={PDF_AIM_RATIO}")


if __name__ == "__main__":
    main()
