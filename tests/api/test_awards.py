"""Awards through the API: payment schedules, payments and reports under the awards area's rules
(the funder's staff see and pay; the grantee sees what its dashboard shows, once released), and a
payment recorded through the officer's service, told once to the funder's webhooks."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from grantflow.awards import models as M
from grantflow.awards import schedules
from grantflow.core import roles as R
from grantflow.core.db import db, separate_session
from grantflow.core.errors import PROBLEM_JSON
from grantflow.core.outbox import OutboxMessage
from tests import factories as F
from tests.api.conftest import make_token
from tests.awards.builders import award, pay, report, schedule
from tests.queries import recorded
from tests.webhooks.test_webhooks import Receiver, _register

D = dt.date


def _awarded(scene, org, cents: int, *rows, title: str = "Healthy homes", released: bool = True):
    application = F.application(scene.program, org, title=title)
    award(application, cents, released=released)
    instalments = schedule(application, *rows)
    db.session.commit()
    return application, instalments


def _stored(instalment_id: int) -> tuple:
    with separate_session() as s:
        i = s.get(M.Instalment, instalment_id)
        return i.status, i.paid_on, i.method, i.reference, i.paid_by_id


def _payments_told() -> int:
    with separate_session() as s:
        return len(s.execute(select(OutboxMessage.id).where(OutboxMessage.event == "payment.made")).all())


def _fields(response) -> dict[str, str]:
    assert response.mimetype == PROBLEM_JSON, response.get_data(as_text=True)
    return {e["field"]: e["detail"] for e in response.get_json().get("errors", [])}


def test_staff_list_awards_with_their_schedules_paged_and_filtered(any_app, any_scene, api):
    scene = any_scene
    first, (paid, later) = _awarded(scene, scene.cbo, 30_000_00, (10_000_00, D(2026, 1, 15)),
                                    (20_000_00, D(2027, 1, 15)))
    pay(paid, reference="ACH-7")
    second, _ = _awarded(scene, scene.other_cbo, 5_000_00, (5_000_00, D(2027, 6, 30)), title="Food")
    F.application(scene.program, scene.cbo, title="Not awarded")
    other = F.program(scene.funder, slug="other-2026", title="Other")
    F.application(other, scene.cbo, title="Elsewhere")
    db.session.commit()
    staff = api(make_token(scene.officer, "read"))

    listed = staff.get("/api/v1/awards")
    assert listed.status_code == 200, listed.get_json()
    items = listed.get_json()["items"]
    assert [(a["application_id"], a["award_cents"]) for a in items] == [(first.id, 30_000_00), (second.id, 5_000_00)]
    ours = items[0]
    assert ours["organization"]["name"] == "Eastside Tenants Union" and ours["program"] == "health-2026"
    assert [(i["amount_cents"], i["due_on"], i["status"], i["paid_on"], i["method"], i["reference"])
            for i in ours["instalments"]] == [(10_000_00, "2026-01-15", "paid", "2026-03-01", "ach", "ACH-7"),
                                              (20_000_00, "2027-01-15", "scheduled", None, None, "")]
    assert ours["staff"] == {"scheduled_cents": 30_000_00, "paid_cents": 10_000_00, "problem": None}

    page1 = staff.get("/api/v1/awards?limit=1").get_json()
    page2 = staff.get(f"/api/v1/awards?limit=1&cursor={page1['next_cursor']}").get_json()
    assert [a["application_id"] for a in page1["items"] + page2["items"]] == [first.id, second.id]
    assert page2["next_cursor"] is None
    assert staff.get("/api/v1/awards?program=other-2026").get_json()["items"] == []
    assert len(staff.get("/api/v1/awards?program=health-2026").get_json()["items"]) == 2
    assert staff.get("/api/v1/awards?program=no-such").get_json()["items"] == []
    bad = staff.get("/api/v1/awards?cursor=nonsense")
    assert bad.status_code == 422 and "cursor" in _fields(bad)
    assert "limit" in _fields(staff.get("/api/v1/awards?limit=0"))

    one = staff.get(f"/api/v1/awards/{first.id}")
    assert one.status_code == 200 and one.get_json() == ours


def test_the_list_loads_in_a_fixed_number_of_queries(app, scene, api):
    staff = api(make_token(scene.officer, "read"))

    def count() -> int:
        with recorded() as statements:
            assert staff.get("/api/v1/awards").status_code == 200
        return len(statements)

    def another(n: int) -> None:
        application, _ = _awarded(scene, scene.cbo if n == 0 else scene.other_cbo, 10_000_00,
                                  (4_000_00, D(2027, 1, 15)), (6_000_00, D(2027, 7, 15)), title=f"Award {n}")
        report(application)
        db.session.commit()

    another(0)
    count()  # the token's first use is written once
    one = count()
    for n in range(1, 5):
        another(n)
    assert count() == one


def test_nobody_else_sees_an_award(any_app, any_scene, api):
    scene = any_scene
    application, _ = _awarded(scene, scene.cbo, 10_000_00, (10_000_00, D(2027, 1, 15)))
    undecided = F.application(scene.program, scene.cbo, title="Undecided")
    outsider_funder = F.funder(name="Hilltop Hospital", slug="hilltop")
    outsider = F.user("po@hilltop.org", "Hal", org=outsider_funder, role=R.PROGRAM_OFFICER)
    db.session.commit()
    for user in (scene.reviewer, scene.other_user, outsider):
        client = api(make_token(user, "read"))
        assert client.get("/api/v1/awards").get_json()["items"] == []
        missing = client.get(f"/api/v1/awards/{application.id}")
        assert missing.status_code == 404 and missing.mimetype == PROBLEM_JSON
    staff = api(make_token(scene.officer, "read"))
    assert staff.get(f"/api/v1/awards/{undecided.id}").status_code == 404
    assert staff.get(f"/api/v1/awards/{2**31}").status_code == 404
    anonymous = any_app.test_client(use_cookies=False)
    assert anonymous.get("/api/v1/awards").status_code == 401
    assert anonymous.get(f"/api/v1/awards/{application.id}").status_code == 401


def test_the_grantee_sees_its_released_award_as_its_dashboard_does_and_changes_nothing(any_app, any_scene, api):
    scene = any_scene
    application = F.application(scene.program, scene.cbo)
    award(application, 30_000_00, released=False)
    interim = report(application, due_on=D(2027, 3, 31))
    paid, held, later = schedule(application, (10_000_00, D(2026, 1, 15)), (5_000_00, D(2026, 6, 15)),
                                 (15_000_00, D(2027, 4, 30), M.REPORT_ACCEPTED, interim.id))
    pay(paid)
    schedules.hold(held, reason="Waiting for the board's minutes.")
    db.session.commit()
    grantee = api(make_token(scene.user, "write"))
    assert grantee.get(f"/api/v1/awards/{application.id}").status_code == 404  # not released yet
    assert grantee.get("/api/v1/awards").get_json()["items"] == []

    F.release(scene.program)
    db.session.commit()
    seen = grantee.get(f"/api/v1/awards/{application.id}")
    assert seen.status_code == 200, seen.get_json()
    data = seen.get_json()
    # What the dashboard lists: the payments still to come, without the staff's notes.
    assert [(i["id"], i["status"], i["reason"], i["method"], i["reference"]) for i in data["instalments"]] == \
        [(held.id, "on_hold", None, None, None), (later.id, "scheduled", None, None, None)]
    assert data["instalments"][1]["condition_text"].startswith("after the interim report")
    assert data["staff"] is None
    assert [(r["id"], r["kind"], r["due_on"]) for r in data["reports"]] == [(interim.id, "interim", "2027-03-31")]
    assert [a["application_id"] for a in grantee.get("/api/v1/awards").get_json()["items"]] == [application.id]
    assert api(make_token(scene.other_user, "read")).get(f"/api/v1/awards/{application.id}").status_code == 404

    refused = grantee.post(f"/api/v1/instalments/{later.id}/payment", json={"paid_on": "2026-11-30", "method": "ach"})
    assert refused.status_code == 404 and refused.mimetype == PROBLEM_JSON
    assert _stored(later.id)[0] == M.SCHEDULED


@pytest.mark.parametrize("app_config", [{"WEBHOOK_ALLOW_HTTP": True, "WEBHOOK_TIMEOUT": 5}])
def test_a_payment_recorded_through_the_api_is_saved_and_told_once(any_app, any_scene, api):
    scene = any_scene
    admin = F.user("admin@riverside.org", "Fran Admin", org=scene.funder, role=R.FUNDER_ADMIN)
    application, (first, _) = _awarded(scene, scene.cbo, 30_000_00, (10_000_00, D(2026, 1, 15)),
                                       (20_000_00, D(2027, 1, 15)))
    with Receiver() as receiver:
        endpoint = _register(any_app, admin, receiver.url, ["payment.made"])
        client = api(make_token(scene.officer, "write"))
        response = client.post(f"/api/v1/instalments/{first.id}/payment",
                               json={"paid_on": "2026-11-02", "method": "wire", "reference": " WIRE-42 "})
        assert response.status_code == 200, response.get_json()
        assert (response.get_json()["status"], response.get_json()["paid_on"]) == ("paid", "2026-11-02")
        assert _stored(first.id) == (M.PAID, D(2026, 11, 2), "wire", "WIRE-42", scene.officer.id)
        (request,) = receiver.requests
        body = json.loads(request["body"])
        assert body["type"] == "payment.made"
        assert (body["data"]["instalment_id"], body["data"]["application_id"], body["data"]["amount_cents"],
                body["data"]["paid_on"], body["data"]["method"]) == (first.id, application.id, 10_000_00,
                                                                     "2026-11-02", "wire")
        Webhook(endpoint.secret).verify(request["body"], request["headers"])

        again = client.post(f"/api/v1/instalments/{first.id}/payment", json={"paid_on": "2026-11-03", "method": "ach"})
        assert again.status_code == 409 and again.mimetype == PROBLEM_JSON
        assert "paid" in again.get_json()["detail"]
        assert len(receiver.requests) == 1 and _payments_told() == 1
        assert _stored(first.id)[1] == D(2026, 11, 2)
        listed = client.get(f"/api/v1/awards/{application.id}").get_json()
        assert listed["staff"]["paid_cents"] == 10_000_00


@pytest.mark.parametrize(("body", "field"), [
    ({"method": "ach"}, "paid_on"),
    ({"paid_on": "2026-02-30", "method": "ach"}, "paid_on"),
    ({"paid_on": "2026-11-01", "method": "barter"}, "method"),
    ({"paid_on": "2026-11-01"}, "method"),
    ({"paid_on": "2026-11-01", "method": "ach", "reference": "x" * 121}, "reference"),
    ({"paid_on": "2026-11-01", "method": "ach", "colour": "blue"}, "colour"),
    ({"paid_on": "2099-01-01", "method": "ach"}, "paid_on"),        # the service: not in the future
    ({"paid_on": "1980-01-01", "method": "ach"}, "paid_on"),        # the service: a plausible year
])
def test_a_payment_the_checks_refuse_names_the_field_and_saves_nothing(any_app, any_scene, api, body, field):
    scene = any_scene
    _application, (first,) = _awarded(scene, scene.cbo, 10_000_00, (10_000_00, D(2026, 1, 15)))
    response = api(make_token(scene.officer, "write")).post(f"/api/v1/instalments/{first.id}/payment", json=body)
    assert response.status_code == 422
    assert field in _fields(response) and _fields(response)[field]
    assert _stored(first.id)[0] == M.SCHEDULED and _payments_told() == 0


def test_a_payment_the_schedule_refuses_says_why(any_app, any_scene, api):
    scene = any_scene
    application = F.application(scene.program, scene.cbo)
    award(application, 30_000_00)
    interim = report(application)
    held, waiting = schedule(application, (10_000_00, D(2026, 1, 15)),
                             (20_000_00, D(2026, 6, 30), M.REPORT_ACCEPTED, interim.id))
    schedules.hold(held, reason="Waiting for the board's minutes.")
    db.session.commit()
    client = api(make_token(scene.officer, "write"))
    payment = {"paid_on": "2026-11-01", "method": "check"}
    on_hold = client.post(f"/api/v1/instalments/{held.id}/payment", json=payment)
    assert on_hold.status_code == 409 and "hold" in on_hold.get_json()["detail"]
    blocked = client.post(f"/api/v1/instalments/{waiting.id}/payment", json=payment)
    assert blocked.status_code == 409 and "waits for the interim report" in blocked.get_json()["detail"]
    read_only = api(make_token(scene.officer, "read")).post(f"/api/v1/instalments/{waiting.id}/payment", json=payment)
    assert read_only.status_code == 403
    assert client.post(f"/api/v1/instalments/{2**31}/payment", json=payment).status_code == 404
    not_json = client.post(f"/api/v1/instalments/{waiting.id}/payment", data="{", content_type="application/json")
    assert not_json.status_code in (400, 422) and not_json.mimetype == PROBLEM_JSON
    assert any_app.test_client(use_cookies=False).post(f"/api/v1/instalments/{waiting.id}/payment",
                                                       json=payment).status_code == 401
    assert (_stored(held.id)[0], _stored(waiting.id)[0]) == (M.ON_HOLD, M.SCHEDULED) and _payments_told() == 0
