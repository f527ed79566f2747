"""An applicant whose browser asks for Spanish, in Chromium: the home, login, program, application,
status, feedback and survey pages come in Spanish with `lang="es"`, each clean under axe-core; the
selector at the foot of every page switches to English, and the choice stays with the account."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F
from tests.browser.conftest import CspViolations, assert_accessible

pytestmark = pytest.mark.browser


def seed(app) -> dict:
    with app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        program = F.program(funder, slug="salud-2026", title="Community Health 2026")
        later = F.program(funder, slug="salud-2027", title="Community Health 2027")
        F.need(funder, "Housing stability", 1)
        org = F.cbo(name="Promotoras del Valle", slug="promotoras")
        F.user("lucia@promotoras.org", "Lucía Ramírez", org=org, role=R.APPLICANT)
        submitted = F.application(program, org)
        draft = F.application(later, org, status="draft")
        db.session.commit()
        return {"submitted": submitted.id, "draft": draft.id}


def spanish(page, url: str, heading: str) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
    assert_accessible(page)


def test_a_spanish_speaking_applicant_sees_every_page_in_spanish(browser, live_server):
    ids = seed(live_server.app)
    base = live_server.url
    context = browser.new_context(locale="es-MX")  # Accept-Language: es-MX
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp = CspViolations(page)
    try:
        spanish(page, base + "/", "Subvenciones en las que las organizaciones comunitarias pueden confiar")
        spanish(page, base + "/programs/salud-2026", "Community Health 2026")
        expect(page.get_by_role("heading", name="Quién puede solicitar")).to_be_visible()
        spanish(page, base + "/login", "Iniciar sesión")
        page.get_by_label("Correo electrónico").fill("lucia@promotoras.org")
        page.get_by_label("Contraseña").fill(F.PASSWORD)
        page.get_by_role("button", name="Iniciar sesión").click()
        page.wait_for_url("**/dashboard")
        expect(page.get_by_role("heading", name="Le damos la bienvenida, Lucía Ramírez")).to_be_visible()
        assert_accessible(page)
        spanish(page, f"{base}/applications/{ids['draft']}/edit", "Solicitud a Community Health 2027")
        # What the page's scripts say is in Spanish too: the counter, a row added, the budget total, autosave.
        page.locator("#title").fill("x" * 205)
        expect(page.locator("#title-counter")).to_have_text(re.compile(r"^5 caracteres por encima del límite de 200\."))
        page.locator("#budget-0-amount").fill("1000,5")  # as a Spanish page writes it (1000.5 is refused there)
        page.locator("[data-add-row=budget]").click()
        expect(page.locator("#rows-live")).to_have_text("Se agregó la línea de presupuesto 2.")
        expect(page.locator("#budget-total")).to_have_text(re.compile(r"^1000,50\sUS\$$|^1\.000,50\sUS\$$"))
        expect(page.locator("#save-status")).to_have_text(re.compile(r"^Guardado a las \d{1,2}:\d\d"), timeout=10_000)
        spanish(page, f"{base}/applications/{ids['submitted']}", "Neighborhood health navigators")
        expect(page.get_by_role("heading", name="Cronología")).to_be_visible()
        spanish(page, f"{base}/applications/{ids['submitted']}/feedback", "Comentarios sobre su solicitud")
        spanish(page, f"{base}/applications/{ids['submitted']}/burden-survey", "¿Cuánto le costó solicitar?")

        # The selector at the foot of the page: English, kept on the account whatever the browser says.
        page.locator("footer").get_by_label("Idioma").select_option("en")
        page.locator("footer").get_by_role("button", name="Cambiar idioma").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", name="What did applying cost you?")).to_be_visible()
        page.goto(base + "/dashboard")
        expect(page.get_by_role("heading", name="Welcome, Lucía Ramírez")).to_be_visible()
        csp.check()
    finally:
        context.close()
