"""The audit's numbers as each language writes them (grantflow/equity/wording.py and the findings
built with it), pinned exactly: the digits of a ratio, a p-value, a signed gap, points, a rate's
interval, a percentage, money and a list of names."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from grantflow.core.i18n import format_list
from grantflow.equity import wording as W
from grantflow.equity.report import build_report
from tests import factories as F
from tests.equity.test_outputs import _cycle


@pytest.mark.parametrize("locale, expected", [
    ("en", {"signed": "+0.25", "negative": "-1.50", "points": "\u221221", "zero": "0", "p": "p = 0.042",
            "tiny": "p < 0.001", "range": "18–57%", "pct": "35%", "pct1": "35.4%", "money": "$40,001",
            "names": "Sam, Rae, and Lee", "none": "not available"}),
    ("es", {"signed": "+0,25", "negative": "-1,50", "points": "\u221221", "zero": "0", "p": "p = 0,042",
            "tiny": "p < 0,001", "range": "18–57 %", "pct": "35\xa0%", "pct1": "35,4\xa0%", "money": "40.001\xa0US$",
            "names": "Sam, Rae y Lee", "none": "no disponible"}),
])
def test_the_audit_numbers_in_each_language(app, locale, expected):
    with force_locale(locale):
        got = {"signed": W.signed(0.25), "negative": W.signed(-1.5), "points": W.points(-0.21), "zero": W.points(0.004),
               "p": W.fmt_p(0.0421), "tiny": W.fmt_p(0.0004), "range": W.pct_range([0.18, 0.574]),
               "pct": W.pct(0.354), "pct1": W.pct(0.354, 1), "money": W.money(40_000.5),
               "names": format_list(["Sam", "Rae", "Lee"]), "none": W.pct(None)}
    assert got == expected


def test_a_flag_gives_its_ratio_with_two_decimals_and_counts_in_full(app):
    funder = F.funder(name="Riverside Health Foundation")
    prog = _cycle(funder, "health-2026", [(True, 120, 15), (False, 80, 32)], series=None, cycle_label="2026")
    report = build_report(prog)
    flag = next(f for f in report["findings"] if f["kind"] == "flag" and f["dimension"] == "poc_led"
                and f["group"] == "yes" and "impact ratio" in f["text"])
    assert "(impact ratio 0.31, below four-fifths)" in flag["text"]  # 0.3125
    assert report["findings"][0]["text"].startswith("200 applications were received. 47 were awarded (24%, 95% "
                                                    "interval 18–30%), receiving $2,049,000 of the $8,787,000")
    crit = next(f for f in report["findings"] if f["kind"] == "flag" and "Rubric criterion “Criterion 1”" in f["text"])
    assert crit["text"].startswith("Rubric criterion “Criterion 1”: Led by people of color — yes applications score "
                                   "-0.54 points against the rest (Mann–Whitney p < 0.001, effect size -0.32, n = 120).")
    sam = next(f for f in report["findings"] if f["kind"] == "flag" and f["text"].startswith("Reviewer Sam"))
    assert sam["text"].startswith("Reviewer Sam scores Led by people of color — yes applications -")
    assert "(n = 200 reviews)" in sam["text"]


@pytest.mark.parametrize("headers, requested, awarded", [
    ({"Accept-Language": "en"}, "$8,787,000", "$2,049,000"),
    ({"Accept-Language": "es"}, "8.787.000\xa0US$", "2.049.000\xa0US$"),
])
def test_the_page_tables_write_dollars_in_the_reader_s_currency_format(app, login, headers, requested, awarded):
    from grantflow.core import roles as R
    from grantflow.core.db import db

    funder = F.funder(name="Riverside Health Foundation")
    prog = _cycle(funder, "health-2026", [(True, 120, 15), (False, 80, 32)], series=None, cycle_label="2026")
    officer = F.user(org=funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    page = login(officer).get(f"/programs/{prog.slug}/audit", headers=headers).get_data(as_text=True)
    assert f'<td data-measure="dollars_requested">{requested}</td>' in page
    assert f'<td data-measure="dollars_awarded">{awarded}</td>' in page
