"""The compare page's changes in the rules are worded for whoever reads them: the installed rule's
and parameter's labels in the reader's language, numbers as that language writes them, and the
run's stored label for a rule no longer installed."""
from __future__ import annotations

import html

from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.i18n import in_language
from grantflow.programs.models import ProgramRule
from grantflow.scoring import engine
from grantflow.scoring.compare import compare_runs, config_changes
from tests import factories as F
from tests.scoring.helpers import configure, scoring_world


def _changes(page: str) -> str:
    """The list of changes in the rules (the first list after the form)."""
    text = html.unescape(page)
    start = text.index("<ul>", text.index("</form>"))
    return " ".join(text[start:text.index("</ul>", start)].split())


def test_the_changes_in_the_rules_read_in_each_officer_s_language(any_app):
    w = scoring_world()
    configure(w.program, {"first_time_small": (1, {}), "poc_led": (1, {"combine": "or"})})
    officer = F.user(org=w.funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    a = engine.rescore(w.program.id)
    rules = {r.rule_key: r for r in db.session.execute(
        select(ProgramRule).where(ProgramRule.program_id == w.program.id)).scalars()}
    rules["first_time_small"].weight = 20
    rules["first_time_small"].params = {"budget_threshold_dollars": 1_234_567}
    rules["poc_led"].params = {"combine": "and", "board_share": 0.75}
    configure(w.program, {"community_led": (2.5, {})})
    db.session.commit()
    b = engine.rescore(w.program.id)
    db.session.commit()
    url = f"/programs/{w.program.slug}/scoring/compare?a={a.id}&b={b.id}"
    client = any_app.test_client(user=officer)
    english = _changes(client.get(url).get_data(as_text=True))
    spanish = _changes(client.get(url, headers={"Accept-Language": "es"}).get_data(as_text=True))
    for line in ("Community-led: added with weight 2.5", "First-time and small organizations: weight 1 → 20",
                 "First-time and small organizations: Small-organization budget (dollars) 500,000 → 1,234,567",
                 "Led by people of color: Board share 0.5 → 0.75",
                 "Led by people of color: Combine the tests with OR: any one test is enough → AND: every test must be met"):
        assert line in english, (line, english)
    for line in ("Dirigida por la comunidad: añadida con peso 2,5",
                 "Organizaciones nuevas y pequeñas: peso 1 → 20",
                 "Organizaciones nuevas y pequeñas: Presupuesto de organización pequeña (dólares) 500.000 → 1.234.567",
                 "Dirigida por personas de color: Proporción de la junta directiva 0,5 → 0,75"):
        assert line in spanish, (line, spanish)
    assert "weight" not in spanish and "added" not in spanish
    # Why each application moved, by rule: the rule named in the reader's language too.
    with in_language("es"):
        labels = {d.label for m in compare_runs(a, b).movements for d in m.reasons}
    assert "Organizaciones nuevas y pequeñas" in labels and "First-time and small organizations" not in labels


def test_a_rule_no_longer_installed_keeps_its_stored_label(app):
    old = {"rules": [{"key": "gone", "label": "Retired priority", "version": "1", "weight": 2, "params": {"cap": 1.5}}]}
    new = {"rules": [{"key": "gone", "label": "Retired priority", "version": "2", "weight": 2, "params": {"cap": 2.5}}]}
    changes = config_changes(old, new)
    with in_language("es"):
        assert [str(c) for c in changes] == ["Retired priority: versión de la regla 1 → 2", "Retired priority: cap 1,5 → 2,5"]
    assert [str(c) for c in config_changes(old, {"rules": []})] == ["Retired priority: removed"]
    # A small setting keeps every decimal it has: not "0 → 0".
    rule = {"key": "gone", "label": "Retired priority", "version": "1", "weight": 2}
    [change] = config_changes({"rules": [{**rule, "params": {"cap": 0.0005}}]},
                              {"rules": [{**rule, "params": {"cap": 0.0004}}]})
    assert str(change) == "Retired priority: cap 0.0005 → 0.0004"
    with in_language("es"):
        assert str(change) == "Retired priority: cap 0,0005 → 0,0004"
