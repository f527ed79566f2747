"""Safer actions for applicants: withdrawing asks first and sends a message; declining consent on the
demographics page keeps what was typed on the page (stores none of it) and says what declining
means; times show their zone; a new program starts in its funder's zone."""
from __future__ import annotations

import re

from sqlalchemy import select

from grantflow.applications.models import SUBMITTED, WITHDRAWN, Application
from grantflow.core.db import db
from grantflow.core.mail import outbox
from grantflow.organizations.models import LeadershipProfile
from tests.applications.conftest import complete_form


def _submit(scene, draft):
    draft.client.get(f"/applications/{draft.id}/edit")
    with draft.client.session_transaction() as sess:
        token = sess["submit_tokens"][str(draft.id)]
    r = draft.client.post(f"/applications/{draft.id}/edit",
                          data=complete_form(scene, action="submit", submit_token=token))
    assert r.status_code == 302, r.get_data(as_text=True)


def _status_of(app_id):
    db.session.expire_all()
    return db.session.execute(select(Application.status).where(Application.id == app_id)).scalar_one()


def test_withdraw_asks_for_confirmation_then_withdraws_and_sends_one_message(scene, draft):
    _submit(scene, draft)
    status = draft.client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert f'href="/applications/{draft.id}/withdraw"' in status  # a link to the question, not an act
    page = draft.client.get(f"/applications/{draft.id}/withdraw")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "cannot be submitted again" in html and 'name="confirm" value="yes"' in html
    # A POST that did not confirm changes nothing and asks again.
    r = draft.client.post(f"/applications/{draft.id}/withdraw", data={})
    assert r.status_code == 200 and "Yes, withdraw" in r.get_data(as_text=True)
    assert _status_of(draft.id) == SUBMITTED
    r = draft.client.post(f"/applications/{draft.id}/withdraw", data={"confirm": "yes"}, follow_redirects=True)
    assert "Your application is withdrawn." in r.get_data(as_text=True)
    assert _status_of(draft.id) == WITHDRAWN
    draft.client.post(f"/applications/{draft.id}/withdraw", data={"confirm": "yes"})
    mails = [m for m in outbox() if "withdrawn" in m["Subject"].lower()]
    assert len(mails) == 1 and mails[0]["To"] == "dana@eastside.org"
    assert "Healthy homes" in mails[0].get_content() and "Community Health 2026" in mails[0].get_content()


def test_declining_consent_keeps_the_typed_answers_on_the_page_and_stores_none(scene, login):
    client = login(scene.user)
    page = client.get("/organizations/eastside/demographics").get_data(as_text=True)
    assert "led by people of color" in page  # said before anything is sent
    r = client.post("/organizations/eastside/demographics",
                    data={"ed_race": ["black"], "board_total": "9", "board_poc": "6"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'value="9"' in html and 'value="6"' in html
    assert re.search(r'value="black"\s+checked|checked\s+[^>]*value="black"', html) or \
        re.search(r'<input[^>]*checked[^>]*value="black"|<input[^>]*value="black"[^>]*checked', html)
    assert "Nothing was stored" in html and "led by people of color" in html
    db.session.expire_all()
    assert db.session.execute(select(LeadershipProfile)).scalars().all() == []


def test_autosave_time_names_its_zone(scene, draft):
    r = draft.client.post(f"/applications/{draft.id}/autosave", data={"title": "T", "client_rev": "r1"})
    assert r.status_code == 200
    assert re.fullmatch(r"\d{1,2}:\d\d [AP]M E[SD]T", r.json["saved_at_text"]), r.json["saved_at_text"]


def test_a_new_program_starts_in_its_funders_zone(app, login):
    from grantflow.core import roles as R
    from tests import factories as F

    funder = F.funder(name="Valley Health", slug="valley", state="CA", service_area=["06065"])
    officer = F.user("po@valley.org", org=funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    html = login(officer).get("/programs/new").get_data(as_text=True)
    assert re.search(r'<option selected value="America/Los_Angeles">|<option value="America/Los_Angeles" selected>',
                     html), "the funder's zone is not preselected"


def test_a_new_draft_starts_from_the_profiles_places(app, login):
    """The profile's places (a tract, or a block group inside a tract) are chosen in the new draft."""
    from grantflow.core import roles as R
    from tests import factories as F

    funder = F.funder(slug="riverside")
    F.program(funder, slug="health-2026")
    served = F.place(funder, "36061000100", name="Central Harlem North")
    inside = F.place(funder, "36061000300", name="Central Harlem South")
    F.place(funder, "36061000200", name="East Harlem South")
    org = F.cbo(slug="eastside", service_area=["36061000100", "360610003001", "10027"])
    user = F.user("dana@eastside.org", org=org, role=R.APPLICANT)
    db.session.commit()
    client = login(user)
    r = client.post("/programs/health-2026/apply")
    app_id = int(r.headers["Location"].split("/")[-2])
    db.session.expire_all()
    a = db.session.get(Application, app_id)
    assert sorted(p.id for p in a.places) == sorted([served.id, inside.id])
    html = client.get(f"/applications/{app_id}/edit").get_data(as_text=True)
    assert re.search(rf'<input[^>]*checked[^>]*value="{served.id}"|<input[^>]*value="{served.id}"[^>]*checked', html), \
        re.findall(r"<input[^>]*places[^>]*>", html)
