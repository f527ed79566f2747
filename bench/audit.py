"""Benchmark: the equity audit of a 50,000-application program, as JSON and as a PDF.

Each time is end to end: loading the facts, decisions, reviews and scores; every metric, test and
suppression pass; the findings; the cycle-by-cycle comparison of the series; then serializing
(JSON) or rendering the charts, tables and table of contents with WeasyPrint (PDF). Data comes from
`grantflow demo --applications N` in a temporary instance (its closed 2025 cycle, in a series with
the open 2026 cycle).

usage: .venv/bin/python bench/audit.py [--applications 50000] [--repeat 2] [--instance DIR]
Aim on this machine: JSON under 5 s, PDF under 20 s. Every run starts cold: the program's standings,
which the audit reads and the app keeps while the data is unchanged (grantflow/core/memo.py), are
dropped first, so each time includes scoring every application. The "warm" figures repeat the JSON
export with the standings kept, as a second export of an unchanged cycle runs. The last line is
`json_seconds=… pdf_seconds=… json_warm_seconds=…` (best of the repeats).
"""
from __future__ import annotations

import argparse
import logging
import os
import time

from common import demo_instance


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

        json_times, pdf_times, json_cpu, pdf_cpu, warm_times = [], [], [], [], []
        for i in range(args.repeat):
            memo.forget()
            t, c = time.perf_counter(), time.process_time()
            size_json = len(exports.to_json(build_report(program)))
            json_times.append(time.perf_counter() - t)
            json_cpu.append(time.process_time() - c)
            db.session.expire_all()
            t = time.perf_counter()
            exports.to_json(build_report(program))
            warm_times.append(time.perf_counter() - t)
            db.session.expire_all()
            memo.forget()
            t, c = time.perf_counter(), time.process_time()
            size_pdf = len(exports.to_pdf(build_report(program)))
            pdf_times.append(time.perf_counter() - t)
            pdf_cpu.append(time.process_time() - c)
            db.session.expire_all()
            print(f"run {i + 1}: json {json_times[-1]:.2f} s (cpu {json_cpu[-1]:.2f} s, {size_json:,} bytes; "
                  f"warm {warm_times[-1]:.2f} s), "
                  f"pdf {pdf_times[-1]:.2f} s (cpu {pdf_cpu[-1]:.2f} s, {size_pdf:,} bytes)")
        # Wall time is what a user waits; CPU time shows how much of it other load on the
        # machine added (both run in this one process).
        print(f"load average {os.getloadavg()[0]:.1f}; best cpu: json {min(json_cpu):.2f} s, pdf {min(pdf_cpu):.2f} s")
    print(f"json_seconds={min(json_times):.2f} pdf_seconds={min(pdf_times):.2f} json_warm_seconds={min(warm_times):.2f}")


if __name__ == "__main__":
    main()
