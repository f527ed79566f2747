"""The attacks of issue 16 on the funder's wording: a `|safe` link into the issued PDF, a `<style>`
that blanks the letter, six nested loops that took 115 s of CPU in one preview request. Each is
refused with a message the officer can act on, in the editor and in preview, and quickly."""
from __future__ import annotations

import io
import time

import pikepdf
import pytest
from sqlalchemy import select

from grantflow.core.db import db
from grantflow.letters import services, wording
from grantflow.letters.models import IssuedLetter, LetterTemplate
from grantflow.letters.wording import WordingError, check_wording, render_wording

PHISH = "{{ '<a href=\"http://bank.example/confirm\">Confirm your bank details here</a>'|safe }}"
STYLE = "<style>body{display:none}</style>Dear {{ organization }},"
NESTED = ("{% for a in organization %}{% for b in organization %}{% for c in organization %}"
          "{% for d in organization %}{% for e in organization %}{% for f in organization %}x"
          "{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}")


@pytest.mark.parametrize("source, message", [
    (PHISH, "the filter |safe is not allowed"),
    ("{% filter safe %}<b>x</b>{% endfilter %}", "not allowed"),
    ("{{ organization|urlize }}", "the filter |urlize is not allowed"),
    ("{% autoescape false %}{{ '<b>x</b>' }}{% endautoescape %}", "not allowed"),
    (STYLE, "markup such as <style> is not allowed"),
    ("Dear {{ organization }},\n\n<b>Thanks</b>", "Line 3: the wording is plain text"),
    ("{{ '<img src=x>' }}", "markup such as <img src=x> is not allowed"),
    ("<!-- hidden --> Dear {{ organization }}", "markup"),
    (NESTED, "loops are nested 4 deep; a letter allows at most 3"),
    ("{% for a in organization recursive %}{{ loop(a) }}{% endfor %}", "recursive loops are not allowed"),
])
def test_refused_with_a_message(source, message):
    with pytest.raises(WordingError) as err:
        check_wording(source)
    assert message in str(err.value)


def test_iterations_are_bounded_quickly():
    source = ("{% for a in range(100) %}{% for b in range(100) %}{% for c in range(100) %}x"
              "{% endfor %}{% endfor %}{% endfor %}")
    started = time.monotonic()
    with pytest.raises(WordingError) as err:
        check_wording(source)
    assert time.monotonic() - started < 2
    assert "loops run more than 10,000 times" in str(err.value)


def test_render_time_is_bounded(monkeypatch):
    monkeypatch.setattr(wording, "MAX_RENDER_SECONDS", 0.0)
    with pytest.raises(WordingError) as err:
        render_wording("{% for c in organization %}{{ c }}{% endfor %}", {"organization": "Eastside"})
    assert "took longer than 0 seconds" in str(err.value)


@pytest.mark.parametrize("source", [
    "{{ organization.center(1000000000) }}", "{% set x = organization ~ organization %}{{ x.replace('E', x * 50) }}",
    "{% macro m(x) %}{{ m(x ~ x) }}{% endmacro %}{{ m(organization) }}",
    "{% macro m(x) %}{{ m(x + x) }}{% endmacro %}{{ m(organization) }}",
])
def test_text_blow_ups_are_refused(source):
    with pytest.raises(WordingError):
        render_wording(source, {"organization": "Eastside Tenants Union " * 100})


def test_ordinary_wording_still_works():
    out = render_wording("Dear {{ organization|upper }},\n\n{% for c in ['a', 'b'] %}{{ c }}{% endfor %} "
                         "{% if amount %}{{ amount }}{% endif %} & <3",
                         {"organization": "<Eastside>", "amount": "$5.00"})
    assert str(out) == "<p>Dear &lt;EASTSIDE&gt;,</p>\n<p>ab $5.00 &amp; &lt;3</p>"


def _links(pdf: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [str(a.A.URI) for page in doc.pages for a in page.get("/Annots", [])
                if "/A" in a and "/URI" in a.A]


def test_a_safe_link_saved_behind_the_form_never_reaches_a_pdf(app, letters_world):
    """Wording written straight into the database (an old row, an import) is refused at issue."""
    db.session.add(LetterTemplate(program_id=letters_world.program.id, kind="award",
                                  body="Dear {{ organization }}, " + PHISH, signatory_name="Sam Signer",
                                  signatory_title="President"))
    db.session.commit()
    with pytest.raises(WordingError):
        services.issue(letters_world.award)
    db.session.rollback()
    assert db.session.execute(select(IssuedLetter)).first() is None


@pytest.mark.parametrize("body, message", [
    (PHISH, "the filter |safe is not allowed"),
    (STYLE, "markup such as &lt;style&gt; is not allowed"),
    (NESTED, "loops are nested 4 deep"),
])
def test_preview_answers_at_the_field_fast(app, letters_world, login, body, message):
    client = login(letters_world.users["program_officer"])
    started = time.monotonic()
    response = client.post("/programs/health-2026/letters/templates/award", data={
        "body": body, "pdf_variant": "pdf/ua-1", "preview": "Preview PDF"})
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="body-error"' in page and message in page
    assert response.mimetype == "text/html"
