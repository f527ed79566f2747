"""`grantflow import-history`: good files load a closed past cycle the audit covers; any bad row is
reported by line and reason and nothing is imported."""
from __future__ import annotations

import json

import pytest

from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from grantflow.equity.history import HistoryImportError, import_history
from grantflow.equity.models import HistoricalClassification
from grantflow.organizations.models import LeadershipProfile, Organization
from grantflow.programs.models import Program
from grantflow.reviews.models import Review
from tests import factories as F

HEADER = "ref,organization,ein,poc_led,community_led,places,requested,awarded,decision,board_total,board_poc,annual_budget\n"


def _good_csv(n_yes: int = 14, n_no: int = 13) -> str:
    lines = [HEADER]
    for i in range(n_yes + n_no):
        poc = "yes" if i < n_yes else "no"
        decision = "awarded" if i % 3 == 0 else ("declined" if i % 3 == 1 else "waitlisted")
        awarded = "25000" if decision == "awarded" else ""
        lines.append(f"R-{i},Org {i},12-{3000000 + i:07d},{poc},{'yes' if i % 2 else ''},"
                     f"36061000100;36061000200,\"$40,000\",{awarded},{decision},9,{5 if poc == 'yes' else 1},300000\n")
    lines.append("R-W,Withdrawn Org,,,,,10000,,withdrawn,,,\n")
    return "".join(lines)


def _reviews_csv() -> str:
    rows = ["ref,reviewer,criterion,score"]
    for i in range(27):
        rows += [f"R-{i},Dana (board),Impact,{3 + i % 3}", f"R-{i},Dana (board),Community voice,{2 + i % 4}",
                 f"R-{i},lee@example.org,Impact,{4 - i % 2}"]
    return "\n".join(rows) + "\n"


def test_good_files_create_a_closed_past_cycle_the_audit_covers(app):
    funder = F.funder(slug="riverside")
    F.place(funder, "36061000100", is_priority=True)
    lee = F.user("lee@example.org", "Lee Reviewer")
    db.session.commit()

    result = import_history("health-2023", _good_csv(), _reviews_csv(), series="health", cycle_label="2023",
                            data_vintage="Funder records, 2024-01")
    db.session.commit()
    assert (result.applications, result.reviews, result.created_program) == (28, 54, True)
    prog = db.session.execute(select(Program).where(Program.slug == "health-2023")).scalar_one()
    assert prog.is_historical and prog.status == "closed" and prog.funder_id == funder.id
    assert prog.series == "health" and prog.data_vintage == "Funder records, 2024-01"
    assert db.session.scalar(select(func.count()).select_from(Application).where(Application.program_id == prog.id)) == 28
    awards = db.session.execute(select(Decision).where(Decision.program_id == prog.id, Decision.outcome == "award")).scalars().all()
    assert len(awards) == 9 and {d.amount_cents for d in awards} == {25_000_00}
    withdrawn = db.session.execute(select(Application).where(Application.ref == "R-W")).scalar_one()
    assert withdrawn.status == "withdrawn" and withdrawn.amount_requested_cents == 10_000_00
    assert db.session.get(HistoricalClassification, withdrawn.id).poc_led is None
    org = db.session.execute(select(Organization).where(Organization.ein == "12-3000000")).scalar_one()
    lp = db.session.execute(select(LeadershipProfile).where(LeadershipProfile.organization_id == org.id)).scalar_one()
    assert (lp.board_total, lp.board_poc) == (9, 5) and org.annual_budget_cents == 300_000_00
    # Reviews: a reviewer without an account keeps the label; one with an account is linked.
    labels = {r.reviewer_label for r in db.session.execute(select(Review).join(Application).where(
        Application.program_id == prog.id)).scalars()}
    assert labels == {"Dana (board)", None}
    assert db.session.scalar(select(func.count()).select_from(Review).where(Review.reviewer_id == lee.id)) == 27
    assert [c.label for c in prog.current_rubric.criteria] == ["Impact", "Community voice"]

    from grantflow.equity.report import build_report

    report = build_report(prog)
    groups = {g["group"]: g for g in report["dimensions"]["poc_led"]["groups"]}
    # The one withdrawn application did not report: withheld, with "no" (13) as its complement.
    assert groups["yes"]["applicants"] == 14
    assert groups["no"]["applicants"] is None and groups["not reported"]["applicants"] is None
    assert report["totals"]["applicants"] == 28 and report["totals"]["awards"] == 9  # totals: never withheld
    # The file has no first_time column: "not reported", never counted as first-time (or not).
    first = {g["group"]: g["applicants"] for g in report["dimensions"]["first_time"]["groups"]}
    assert first == {"yes": 0, "no": 0, "not reported": 28}
    assert not any(f["text"].startswith("First-time applicants were") for f in report["findings"])
    assert report["program"]["is_historical"] is True
    assert {r["reviewer"] for r in report["dimensions"]["poc_led"]["reviewers"]["reviewers"]} == {"Dana (board)", "Lee Reviewer"}


def test_every_bad_row_is_reported_and_nothing_is_imported(app):
    F.funder(slug="riverside")
    db.session.commit()
    bad = HEADER + (
        "A-1,Good Org,12-3456789,yes,no,36061000100,1000,1000,awarded,,,\n"
        "A-2,,12-34,maybe,no,3606x,lots,,funded,,,\n"
        "A-1,Dup Org,,no,,,500,,declined,5,7,\n"
        "A-4,Award Org,,no,,,500,,awarded,,,\n"
    )
    reviews = "ref,reviewer,criterion,score\nA-1,Dana,Impact,high\nZ-9,Dana,Impact,3\n"
    try:
        import_history("past", bad, reviews)
    except HistoryImportError as exc:
        errors = exc.errors
    else:
        raise AssertionError("a bad file was accepted")
    text = "\n".join(errors)
    assert "applications.csv line 3: organization is empty" in text
    assert "applications.csv line 3: ein must look like 12-3456789, not '12-34'" in text
    assert "applications.csv line 3: poc_led must be yes, no or empty, not 'maybe'" in text
    assert "applications.csv line 3: place '3606x' is not a geoid" in text
    assert "applications.csv line 3: requested 'lots': Enter an amount in dollars, like 25,000" in text
    assert "applications.csv line 3: decision must be one of awarded, declined, waitlisted, withdrawn, not 'funded'" in text
    assert "applications.csv line 4: ref 'A-1' appears twice in the file" in text
    assert "applications.csv line 4: board_poc (7) is more than board_total (5)" in text
    assert "applications.csv line 5: awarded must be more than 0 when the decision is awarded" in text
    assert "reviews.csv line 2: score must be a whole number from -1,000 to 1,000, not 'high'" in text
    assert "reviews.csv line 3: ref 'Z-9' is not in the applications file" in text
    assert not any("line 2:" in e and "applications.csv" in e for e in errors)  # the good row is fine
    db.session.rollback()
    assert db.session.execute(select(Program).where(Program.slug == "past")).first() is None
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0
    assert db.session.scalar(select(func.count()).select_from(Organization).where(Organization.kind == "cbo")) == 0


def test_unknown_and_missing_columns_are_reported_on_line_1(app):
    F.funder()
    db.session.commit()
    try:
        import_history("past", "ref,organization,colour\nA,B,red\n")
    except HistoryImportError as exc:
        text = "\n".join(exc.errors)
    assert "applications.csv line 1: missing column(s) ein, poc_led" in text
    assert "unknown column(s) colour" in text


def test_cli_imports_and_audits_the_past_cycle(app, tmp_path):
    F.funder(slug="riverside")
    F.funder(slug="hilltop")
    db.session.commit()
    apps_csv, reviews_csv = tmp_path / "applications.csv", tmp_path / "reviews.csv"
    apps_csv.write_text(_good_csv())
    reviews_csv.write_text(_reviews_csv())
    runner = app.test_cli_runner()
    # Two funders and no --funder: refused, with the reason, and nothing created.
    res = runner.invoke(args=["import-history", "health-2022", str(apps_csv)])
    assert res.exit_code != 0 and "--funder SLUG" in res.output
    res = runner.invoke(args=["import-history", "health-2022", str(apps_csv), "--reviews", str(reviews_csv),
                              "--funder", "riverside", "--cycle", "2022", "--series", "health"])
    assert res.exit_code == 0, res.output
    assert "Imported 28 applications and 54 reviews into health-2022 (created as a closed past cycle)" in res.output
    out = tmp_path / "audit.json"
    res = runner.invoke(args=["audit", "health-2022", "--format", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["program"]["cycle_label"] == "2022" and data["totals"]["applicants"] == 28

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "B-1,Org,,yes,,,100,,maybe,,,\n")
    res = runner.invoke(args=["import-history", "health-2022", str(bad)])
    assert res.exit_code != 0
    assert "bad.csv line 2: decision must be one of awarded, declined, waitlisted, withdrawn, not 'maybe'" in res.output
    assert "nothing imported" in res.output


def _refused(app, tmp_path, data: bytes, reviews: bytes | None = None):
    """Runs the CLI on the files; returns its output, having checked it refused without a traceback."""
    F.funder(slug="riverside")
    db.session.commit()
    apps_csv = tmp_path / "applications.csv"
    apps_csv.write_bytes(data)
    args = ["import-history", "past", str(apps_csv)]
    if reviews is not None:
        (tmp_path / "reviews.csv").write_bytes(reviews)
        args += ["--reviews", str(tmp_path / "reviews.csv")]
    res = app.test_cli_runner().invoke(args=args)
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.exception
    assert "nothing imported" in res.output
    assert db.session.execute(select(Program).where(Program.slug == "past")).first() is None
    return res.output


def test_cli_names_every_line_that_is_not_utf8_and_every_other_bad_row(app, tmp_path):
    data = (HEADER + "A-1,Good Org,,yes,no,,1000,,declined,,,\n" + "A-2,Café Org,,yes,no,,1000,,declined,,,\n"
            + "A-3,Org,,yes,no,,1000,,maybe,,,\n" + "A-4,Niño Org,,yes,no,,1000,,declined,,,\n").encode("latin-1")
    out = _refused(app, tmp_path, data, "ref,reviewer,criterion,score\nA-1,Dana,Impacté,3\n".encode("latin-1"))
    assert "applications.csv line 3: not UTF-8 (byte 0xE9)" in out
    assert "applications.csv line 5: not UTF-8 (byte 0xF1)" in out
    assert "applications.csv line 4: decision must be one of" in out
    assert "reviews.csv line 2: not UTF-8 (byte 0xE9)" in out
    assert "Traceback" not in out


def test_cli_refuses_a_binary_file_without_a_traceback(app, tmp_path):
    out = _refused(app, tmp_path, bytes(range(256)) * 16)
    assert "applications.csv line 1: contains a NUL character (is this a binary file?)" in out
    assert "applications.csv line 3: not UTF-8 (byte 0x80)" in out


@pytest.mark.parametrize("column,value,words", [
    ("requested", "9" * 40, "requested '" + "9" * 40 + "': That amount is too large"),
    ("requested", "1e9", "requested '1e9': Write the amount in digits"),
    ("requested", "1000.999", "requested '1000.999': Amounts are in dollars and cents"),
    ("annual_budget", "9" * 40, "annual_budget '" + "9" * 40 + "': That amount is too large"),
    ("board_total", "9" * 40, "board_total must be a whole number from 0 to 1,000,000"),
    ("board_total", "²", "board_total must be a whole number from 0 to 1,000,000, not '²'"),
    ("organization", "Nul\x00Org", "contains a NUL character"),
])
def test_huge_and_odd_values_are_reported_by_line(app, column, value, words):
    F.funder(slug="riverside")
    db.session.commit()
    row = dict(zip(HEADER.strip().split(","), "A-1,Org,,yes,no,,1000,,declined,,,".split(",")))
    row[column] = value
    with pytest.raises(HistoryImportError) as exc:
        import_history("past", HEADER + ",".join(row.values()) + "\n")
    assert f"applications.csv line 2: {words}" in "\n".join(exc.value.errors)


@pytest.mark.parametrize("score", ["9" * 40, "²", "-" + "9" * 20])
def test_huge_and_odd_scores_are_reported_by_line(app, score):
    F.funder(slug="riverside")
    db.session.commit()
    with pytest.raises(HistoryImportError) as exc:
        import_history("past", HEADER + "A-1,Org,,yes,no,,1000,,declined,,,\n",
                       f"ref,reviewer,criterion,score\nA-1,Dana,Impact,{score}\n")
    assert (f"reviews.csv line 2: score must be a whole number from -1,000 to 1,000, not {score!r}"
            in exc.value.errors)
