"""An officer reading in Spanish is told what is wrong with a letter's wording in Spanish, as whole
sentences with their plurals (the funder's own names and the line number inside them)."""
from __future__ import annotations

import pytest

from grantflow.core.db import db
from grantflow.core.i18n import in_language
from grantflow.letters.wording import WordingError, check_wording


@pytest.mark.parametrize("source, message", [
    ("Estimada/o {{ organisation }}", "Marcador desconocido {{ organisation }}. Disponibles: recipient,"),
    ("{{ a }} {{ b }}", "Marcadores desconocidos {{ a }}, {{ b }}. Disponibles:"),
    ("Hola {{ organization }", "Línea 1: no se puede leer el texto ("),
    ("{{ organization|safe }}", "Línea 1: el filtro |safe no está permitido en una carta"),
    ("<b>Hola</b>", "Línea 1: el texto de la carta es texto simple, así que no se admite marcado como <b>."),
    ("{% for a in [1] %}{% for b in [1] %}{% for c in [1] %}{% for d in [1] %}x{% endfor %}{% endfor %}"
     "{% endfor %}{% endfor %}", "Línea 1: los bucles están anidados 4 niveles; una carta admite 3 como máximo."),
    ("{{ 'x' * 1000000 }}", "Este texto no está permitido en una carta"),
    ("{% for i in range(100) %}{% for j in range(100) %}{% for k in range(2) %}x{% endfor %}{% endfor %}"
     "{% endfor %}", "Este texto es demasiado complejo para una carta: sus bucles se repiten más de 10.000 veces"),
    ("{{ 1 / 0 }}", "No se pudo completar el texto ("),
    ("x" * 20_001, "El texto es demasiado largo (20.001 caracteres; como máximo 20.000)."),
])
def test_wording_errors_are_in_the_reader_s_language(app, source, message):
    with in_language("es"), pytest.raises(WordingError) as err:
        check_wording(source)
    assert message in str(err.value)
    assert "not allowed" not in str(err.value) and "Line" not in str(err.value)


def test_the_officer_reading_spanish_sees_the_error_at_the_field(app, letters_world, login):
    officer = letters_world.users["program_officer"]
    officer.locale = "es"
    db.session.commit()
    response = login(officer).post("/programs/health-2026/letters/templates/award", data={
        "body": "Estimada/o {{ organisation }}, texto que se conserva", "pdf_variant": "pdf/ua-1",
        "preview": "Preview PDF"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="body-error"' in page and "Marcador desconocido {{ organisation }}" in page
    assert "texto que se conserva" in page
