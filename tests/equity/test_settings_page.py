"""A program's k on its audit page: refused below 5 at the field (what was typed kept), saved
otherwise, and stated in every output."""
from __future__ import annotations

import csv
import io

from pypdf import PdfReader
from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.equity.models import AuditSettings
from tests import factories as F
from tests.equity.builders import Spec, build_program


def _program():
    funder = F.funder()
    prog, _ = build_program(funder, [Spec(poc=i % 3 != 0, awarded=i % 4 == 0) for i in range(36)])
    officer = F.user(org=funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    return prog, officer


def test_k_below_five_is_refused_at_the_field(any_app, login):
    prog, officer = _program()
    client = login(officer)
    for typed, message in (("4", "k cannot be below 5"), ("eleven", "Enter a whole number, like 11."),
                           ("", "Enter a whole number from 5"), ("99999999999999999999", "k cannot be below 5")):
        res = client.post(f"/programs/{prog.slug}/audit/settings", data={"k": typed})
        html = res.get_data(as_text=True)
        assert res.status_code == 422, typed
        assert message in html and 'aria-invalid="true"' in html, typed
        assert f'value="{typed}"' in html or typed == ""
    db.session.expire_all()
    assert db.session.get(AuditSettings, prog.id) is None


def test_k_is_saved_and_stated_in_every_output(any_app, login):
    prog, officer = _program()
    client = login(officer)
    res = client.post(f"/programs/{prog.slug}/audit/settings", data={"k": "15"})
    assert res.status_code == 302 and res.headers["Location"].endswith("/audit#settings")
    db.session.expire_all()
    row = db.session.execute(select(AuditSettings).where(AuditSettings.program_id == prog.id)).scalar_one()
    assert row.suppression_k == 15 and row.updated_by_id == officer.id
    data = client.get(f"/programs/{prog.slug}/audit.json").json
    assert data["suppression"]["k"] == 15
    # 12 not-POC-led organizations: shown at k = 11, withheld at 15 (with the complement).
    assert next(g for g in data["dimensions"]["poc_led"]["groups"] if g["group"] == "no")["applicants"] is None
    rows = list(csv.DictReader(io.StringIO(client.get(f"/programs/{prog.slug}/audit.csv").get_data(as_text=True))))
    assert next(r for r in rows if r["section"] == "suppression" and r["measure"] == "k")["value"] == "15"
    assert client.get(f"/programs/{prog.slug}/audit.csv-metadata.json").json["suppression"]["k"] == 15
    assert "k = 15" in client.get(f"/programs/{prog.slug}/audit").get_data(as_text=True)
    pdf = PdfReader(io.BytesIO(client.get(f"/programs/{prog.slug}/audit.pdf").data))
    assert "Suppression: k = 15" in pdf.pages[0].extract_text()
    # Lowered again (to 5 or more) is allowed.
    assert client.post(f"/programs/{prog.slug}/audit/settings", data={"k": "5"}).status_code == 302
    assert client.get(f"/programs/{prog.slug}/audit.json").json["suppression"]["k"] == 5
