"""A share is written as one percentage everywhere: a rule's explanation (`percent`, the plugin
API's `pct`), the evidence on the score page and the equity audit give the same words for it, in
the reader's language."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from grantflow.equity import wording
from grantflow.plugin_api import explain, pct, percent
from grantflow.scoring.views import evidence_filter

SHARES = (0.0, 0.125, 0.354, 0.5, 23 / 40, 1 / 3, 0.999, 1.0, 2.5)


@pytest.mark.parametrize("locale, expected", [
    ("en", ["0%", "12%", "35%", "50%", "58%", "33%", "100%", "100%", "250%"]),
    ("es", ["0\xa0%", "12\xa0%", "35\xa0%", "50\xa0%", "58\xa0%", "33\xa0%", "100\xa0%", "100\xa0%", "250\xa0%"]),
])
def test_a_share_reads_the_same_in_scoring_and_the_audit(app, locale, expected):
    with force_locale(locale):
        assert [pct(s) for s in SHARES] == expected
        assert [str(explain("%(s)s", s=percent(s))) for s in SHARES] == expected
        assert [evidence_filter(s, "board_share") for s in SHARES] == expected
        assert [wording.pct(s) for s in SHARES] == expected


def test_what_is_missing_is_said_in_each_area_s_words(app):
    with force_locale("en"):
        assert pct(None) == "not reported" and wording.pct(None) == "not available"
    with force_locale("es"):
        assert wording.pct(0.354, 1) == "35,4\xa0%"
