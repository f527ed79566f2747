"""The audit in the reader's language: the page and the PDF (read back) worded in Spanish — findings,
board summary, labels, suppression — while the JSON's and CSV's codes stay the same in every language."""
from __future__ import annotations

import csv
import html as htmllib
import io
import re

import pikepdf
import pytest
from pypdf import PdfReader

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.equity import services
from tests import factories as F
from tests.equity.test_outputs import _cycle

SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
# The words of the report a person reads, in the request's language; everything else is a code or a number.
WORDED = {"label", "text", "board", "next_step", "focus_phrase", "rule", "evidence_label", "kind_label",
          "reference_group_label", "withheld_group_labels", "focus_group_label", "reviewer_label"}


@pytest.fixture
def audited(app):
    """POC-led organizations funded less (15 of 120 against 32 of 80), reviewer Sam scoring them lower."""
    funder = F.funder(name="Riverside Health Foundation")
    prog = _cycle(funder, "salud-2026", [(True, 120, 15), (False, 80, 32)], series=None, cycle_label="2026")
    officer = F.user(org=funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    return prog, officer


def _flat(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _page(client, prog, headers=SPANISH) -> str:
    return _flat(htmllib.unescape(client.get(f"/programs/{prog.slug}/audit", headers=headers).get_data(as_text=True)))


def test_the_page_speaks_spanish_and_english_by_the_reader(audited, login):
    prog, officer = audited
    client = login(officer)
    html = _page(client, prog)
    assert '<html lang="es">' in html
    # The board summary and the findings, numbers as Spanish writes them.
    assert ("Se recibieron 200 solicitudes. Se otorgaron 47 (24 %, intervalo del 95 % 18–30 %), que recibieron "
            "2.049.000 US$ de los 8.787.000 US$ solicitados (23 %).") in html
    assert ("Las organizaciones dirigidas por personas de color fueron el 60 % de los solicitantes y el 32 % de las "
            "subvenciones: 15 de 120, una tasa de otorgamiento del 12 % (intervalo del 95 % 8–20 %), frente al 40 % "
            "de «no» (32 de 80, intervalo del 95 % 30–51 %). Recibieron el 32 % de los dólares.") in html
    assert "La diferencia con los demás solicitantes es clara (prueba exacta de Fisher p < 0,001, n = 120)." in html
    assert "De la diferencia de −28 puntos en la tasa de otorgamiento entre «sí» y los demás solicitantes" in html
    assert "Calibre a este evaluador" in html and "El evaluador Sam califica" in html
    assert "<strong>Qué hacer ahora:</strong>" in html
    # Labels of dimensions, groups, stages and evidence; the charts.
    assert re.search(r'<title id="chart\d+-t">Tasa de otorgamiento por grupo: Dirigida por personas de color</title>',
                     html)
    assert '<th scope="row">sin datos</th>' in html and '<th scope="row">C4 (mayor necesidad)</th>' in html
    assert '<th scope="row">menos de US$250 mil</th>' in html and "Llegó a la etapa: Recomendadas" in html
    assert '<td data-measure="evidence">diferencia clara</td>' in html
    shown = re.sub(r'data-group="[^"]*"', "", html)  # a row's group code is for scripts and tests
    for english in ("applications were received", "Organizations led by", "Too few to tell", "not reported",
                    "Award rate by group", "points from", "clear difference", "Calibrate this reviewer"):
        assert english not in shown, english
    # Suppression: the withheld groups named in Spanish, the k statement, the rule.
    services.set_k(prog.id, 100, officer.id)
    db.session.commit()
    html = _page(client, prog)
    assert ("Datos reservados para proteger a los grupos de identidad pequeños (menos de 100 organizaciones, y los "
            "grupos que los revelarían): Dirigida por personas de color: sí, no") in html
    assert ("Las organizaciones dirigidas por personas de color: dato reservado; uno de los grupos de esta "
            "dimensión tiene menos de 100 organizaciones") in html
    assert "Los totales del programa nunca se reservan. En las dimensiones de identidad" in html
    assert '<span class="withheld">reservado</span>' in html and "Withheld" not in html
    # Nothing worded in one language is kept for a reader of another.
    html = _page(client, prog, {})
    assert "200 applications were received. 47 were awarded (24%, 95% interval 18–30%)" in html
    assert '<th scope="row">not reported</th>' in html and "Se recibieron" not in html
    assert "Se recibieron 200 solicitudes." in _page(client, prog)


def test_the_pdf_reads_back_in_spanish(audited, login):
    prog, officer = audited
    pdf = login(officer).get(f"/programs/{prog.slug}/audit.pdf", headers=SPANISH).data
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == f"Auditoría de equidad — {prog.title}"
    first = _flat(reader.pages[0].extract_text()).replace("– ", "–")
    assert "Se recibieron 200 solicitudes." in first and "Qué hacer ahora:" in first
    assert "Las organizaciones dirigidas por personas de color fueron el 60 %" in first
    text = _flat(" ".join(p.extract_text() for p in reader.pages))
    assert "Los totales del programa nunca se reservan." in text
    assert "sin datos" in text and "La diferencia con los demás solicitantes es clara" in text
    assert "applications were received" not in text and "Organizations led by" not in text
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert str(doc.Root.Lang) == "es"


def _codes(value):
    """The report without its worded fields (and the time it was made): what machines read."""
    if isinstance(value, dict):
        return {k: _codes(v) for k, v in value.items() if k not in WORDED and k != "generated_at"}
    if isinstance(value, list):
        return [_codes(v) for v in value]
    return value


def _both(client, prog, suffix):
    return {lang: client.get(f"/programs/{prog.slug}/audit.{suffix}", headers=h)
            for lang, h in (("en", {}), ("es", SPANISH))}


def test_json_and_csv_codes_are_the_same_in_every_language(audited, login):
    prog, officer = audited
    client = login(officer)
    for k in (11, 100):  # every group shown; then POC-led groups withheld
        services.set_k(prog.id, k, officer.id)
        db.session.commit()
        reports = {lang: res.json for lang, res in _both(client, prog, "json").items()}
        en_codes, es_codes = _codes(reports["en"]), _codes(reports["es"])
        for key in en_codes:
            assert es_codes[key] == en_codes[key], key
        rows = {lang: list(csv.reader(io.StringIO(res.get_data(as_text=True))))
                for lang, res in _both(client, prog, "csv").items()}
        assert [r[:9] for r in rows["es"]] == [r[:9] for r in rows["en"]]  # all but the text column
        findings = [r[9] for r in rows["es"] if r[0] == "findings"]
        assert findings[0].startswith("Se recibieron 200 solicitudes.")
    # ...while the words beside the codes follow the language.
    assert {r[8] for r in rows["es"][1:]} >= {"withheld", "not applicable"}
    en, es = reports["en"]["dimensions"]["poc_led"], reports["es"]["dimensions"]["poc_led"]
    assert es["withheld_groups"] == ["yes", "no"] and es["withheld_group_labels"] == ["sí", "no"]
    assert [g["label"] for g in en["groups"]] == ["yes", "no", "not reported"]
    assert [g["label"] for g in es["groups"]] == ["sí", "no", "sin datos"]
    place = {g["group"]: g for g in reports["es"]["dimensions"]["priority_place"]["groups"]}
    assert place["not reported"]["label"] == "sin datos"
    first = reports["es"]["dimensions"]["first_time"]
    assert first["label"] == "Solicitante por primera vez" and reports["en"]["dimensions"]["first_time"]["label"] == \
        "First-time applicant"
    services.set_k(prog.id, 11, officer.id)
    db.session.commit()
    es = client.get(f"/programs/{prog.slug}/audit.json", headers=SPANISH).json["dimensions"]["poc_led"]
    yes = next(g for g in es["groups"] if g["group"] == "yes")
    assert yes["evidence"] == "clear difference" and yes["evidence_label"] == "diferencia clara"
    assert [(c["kind"], c["kind_label"]) for c in es["attribution"]["yes"]["components"]] == [
        ("who applied", "quiénes solicitaron"), ("unintended", "no intencional"), ("by design", "intencional"),
        ("unintended", "no intencional")]


def test_a_reviewer_without_a_name_is_named_in_the_reader_s_language_and_keyed_the_same_in_every_one(audited, login):
    """Imported reviews may name nobody: the audit shows "Unnamed reviewer" in the reader's language,
    while the JSON's `reviewer` and the CSV's item stay the same code in every language."""
    from sqlalchemy import update

    from grantflow.accounts.models import User
    from grantflow.reviews.models import Review

    prog, officer = audited
    lee = db.session.execute(db.select(User.id).where(User.name == "Lee")).scalar_one()
    db.session.execute(update(Review).where(Review.reviewer_id == lee).values(reviewer_id=None, reviewer_label=None))
    db.session.commit()
    client = login(officer)
    reports = {lang: res.json for lang, res in _both(client, prog, "json").items()}
    shown = {lang: {r["reviewer"]: r["reviewer_label"] for r in report["dimensions"]["poc_led"]["reviewers"]["reviewers"]}
             for lang, report in reports.items()}
    assert shown["en"] == {"Rae": "Rae", "Sam": "Sam", "Unnamed reviewer": "Unnamed reviewer"}
    assert shown["es"] == {"Rae": "Rae", "Sam": "Sam", "Unnamed reviewer": "Evaluador sin nombre"}
    assert _codes(reports["es"]) == _codes(reports["en"])
    rows = {lang: [r for r in csv.reader(io.StringIO(res.get_data(as_text=True))) if r[0] == "reviewers"]
            for lang, res in _both(client, prog, "csv").items()}
    assert "Unnamed reviewer" in {r[3] for r in rows["es"]} and rows["es"] == rows["en"]
    page = _page(client, prog)
    assert '<th scope="row">Evaluador sin nombre</th>' in page and "Unnamed reviewer" not in page


def test_a_reviewer_whose_account_is_gone_is_named_by_number_in_the_reader_s_language(app):
    import numpy as np

    from grantflow.core.i18n import in_language
    from grantflow.equity.data import _reviews
    from grantflow.reviews.aggregate import ReviewTotal

    rows = [ReviewTotal(1, 987654, None, 3.0)]
    with in_language("es"):
        *_, names, keys = _reviews(rows, np.array([1]))
    assert names == ["Evaluador 987654"] and keys == ["Reviewer 987654"]
