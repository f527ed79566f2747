"""An officer reading in Spanish gets the awards area's refusals in Spanish, as whole sentences
(amounts and conditions inside them in Spanish too); a Spanish-preferring grantee gets the
changes-requested message in Spanish."""
from __future__ import annotations

import datetime as dt

import pytest

from grantflow.awards import models as M
from grantflow.awards import reports, schedules
from grantflow.awards.errors import AwardError
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import in_language
from grantflow.core.mail import outbox
from tests import factories
from tests.awards.builders import award, file, pay, report, schedule

D = dt.date


def _refusal(call) -> dict:
    with in_language("es"), pytest.raises(AwardError) as refused:
        call()
    return refused.value.problems


def test_schedule_refusals_are_whole_spanish_sentences(any_app, world):
    w = world
    award(w.application, 30_000_00)
    a, b, c = schedule(w.application, (10_000_00, D(2026, 1, 1)), (10_000_00, D(2026, 6, 1)),
                       (10_000_00, D(2027, 1, 1), M.AGREEMENT_SIGNED, None))
    moved = _refusal(lambda: schedules.cancel(c, reason="Terminó antes."))["move_to"].replace("\xa0", " ")
    assert moved.startswith("Al cancelarlo, el calendario quedaría en 20.000,00 US$")
    assert _refusal(lambda: schedules.cancel(c, reason=" ", move_to_id=b.id)) == {
        "reason": "Indique por qué se cancela el pago."}
    assert _refusal(lambda: schedules.hold(a, reason="")) == {
        "reason": "Indique por qué se retiene el pago."}
    assert _refusal(lambda: pay(c)) == {None: "Este pago está a la espera de que se firme el acuerdo."}
    assert _refusal(lambda: schedules.spread_schedule(w.application, first_due=D(2026, 1, 1), years=9,
                                                      per_year=None, first_condition="x")) == {
        "years": "Escriba un número de años del 1 al 5.", "per_year": "Elija cuántos pagos por año.",
        "first_condition": "Elija una condición de la lista."}


def test_a_spanish_speaking_grantee_is_asked_for_changes_in_spanish(app, world):
    w = world
    w.cbo.language = "es"
    award(w.application, 40_000_00, released=False)
    factories.release(w.program, ago=utcnow() - dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc))
    interim = report(w.application, "interim", D(2026, 6, 30))
    db.session.commit()
    file(interim, w.users["applicant"])
    reports.review(interim, accept=False, note="Agreguen las cifras de mayo.", link="http://localhost/reports/1",
                   actor_id=w.users["program_officer"].id)
    db.session.commit()
    [mail] = [m for m in outbox() if m["To"] == "applicant@eastside.org" and "cambios" in m["Subject"]]
    assert mail["Subject"] == "Se piden cambios: su informe para Community Health 2026"
    body = mail.get_content()
    assert "Gracias por su informe intermedio" in body and "Agreguen las cifras de mayo." in body
    assert "Actualícelo aquí: http://localhost/reports/1" in body
    assert "Hello" not in body and "Thank you" not in body
