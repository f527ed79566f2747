"""From the demo (anchored to a fixed day so that its payments fall in 2026):
`grantflow payments community-health-equity-2025 -o p.csv` lists schedules adding up to every
award, and `grantflow schedule-h riverside-health --year 2026 -o s.csv` totals the payments made
in 2026."""
from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from grantflow.awards import models as M
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from grantflow.demo.build import BENCH_PROGRAM, build_demo
from grantflow.programs.models import Program

DEMO_DAY = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def test_the_demo_commands(app, tmp_path):
    build_demo(reset=False, seed=2026, n_applications=None, echo=lambda *a: None, today=DEMO_DAY)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["payments", "community-health-equity-2025", "-o", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(tmp_path / "p.csv", encoding="utf-8")))
    program = db.session.execute(select(Program).where(Program.slug == BENCH_PROGRAM)).scalar_one()
    awards = dict(db.session.execute(select(Decision.application_id, Decision.amount_cents).where(
        Decision.program_id == program.id, Decision.outcome == "award")).all())
    scheduled: dict[int, Decimal] = defaultdict(Decimal)
    for r in rows:
        assert r["status"] in {"scheduled", "due", "paid", "on hold", "cancelled"}
        assert Decimal(r["award_amount"]) * 100 == awards[int(r["application_id"])]
        if r["status"] != "cancelled":
            scheduled[int(r["application_id"])] += Decimal(r["amount"])
    assert {app_id: int(total * 100) for app_id, total in scheduled.items()} == awards
    assert {r["schedule_adds_up"] for r in rows} == {"yes"}
    assert {"paid", "scheduled"} <= {r["status"] for r in rows}
    assert f"{len(rows)} instalments of {len(awards)} awards" in result.output

    result = runner.invoke(args=["schedule-h", "riverside-health", "--year", "2026", "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    lines = list(csv.reader(open(tmp_path / "s.csv", encoding="utf-8")))
    assert lines[0] == ["category", "dollars"]
    total = sum(Decimal(d) for _, d in lines[1:])
    paid_2026 = db.session.execute(select(func.sum(M.Instalment.amount_cents)).where(
        M.Instalment.status == M.PAID, M.Instalment.paid_on >= dt.date(2026, 1, 1),
        M.Instalment.paid_on <= dt.date(2026, 12, 31))).scalar_one()
    assert paid_2026 > 0 and total * 100 == paid_2026
    assert f"${total:,.2f} paid in 2026" in result.output
