"""Odd input never answers 500: ids past what the database holds, query and form integers, NUL
characters, dates and amounts out of range. Each on SQLite and PostgreSQL (the `any_app` fixture):
SQLite's driver raises OverflowError past 2^63−1, PostgreSQL's INTEGER columns end at 2^31−1 and
it refuses NUL characters in text."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program
from tests import factories as F
from tests.authz.letters import _decision_id
from tests.conftest import build_world
from tests.programs.test_program_views import VALID

BIG = "99999999999999999999"
JUST_PAST = str(2**31)
LARGEST = str(2**31 - 1)


@pytest.fixture
def w(any_app):
    return build_world()


@pytest.fixture
def officer(w, any_app):
    return any_app.test_client(user=w.users["program_officer"])


@pytest.mark.parametrize("number", [BIG, str(2**63), str(2**63 - 1), JUST_PAST, LARGEST, "9" * 5000])
def test_ids_past_the_database_range_are_not_found(w, any_app, number):
    applicant = any_app.test_client(user=w.users["applicant"])
    officer = any_app.test_client(user=w.users["program_officer"])
    reviewer = any_app.test_client(user=w.users["reviewer"])
    decision_id = _decision_id(w)
    for client, url in ((applicant, f"/applications/{number}"),
                        (applicant, f"/applications/{number}/edit"),
                        (applicant, f"/applications/{w.application.id}/attachments/{number}"),
                        (reviewer, f"/reviews/{number}"),
                        (officer, f"/programs/health-2026/letters/{number}/files/1"),
                        (officer, f"/programs/health-2026/letters/{decision_id}/files/{number}"),
                        (officer, f"/programs/health-2026/letters/{number}"),
                        (officer, f"/funders/riverside/chna/needs/{number}")):
        assert client.get(url).status_code == 404, url


def test_negative_ids_are_not_found(w, any_app):
    officer = any_app.test_client(user=w.users["program_officer"])
    assert officer.get("/applications/-1").status_code == 404
    assert officer.get(f"/applications/{w.application.id}").status_code == 200


def test_the_int_converter_is_bounded_for_every_route(any_app):
    """The bound is the id columns': every key is a 32-bit INTEGER (a BIGINT key would allow more).
    The one key that is not an id is a table's name (the data generations, which no route takes)."""
    from grantflow.core.inputs import MAX_ID

    assert any_app.url_map.converters["int"](any_app.url_map).max == MAX_ID == 2**31 - 1
    keys = [c for t in db.metadata.tables.values() for c in t.columns if (c.primary_key or c.foreign_keys)
            and (t.name, c.name) != ("data_generations", "table_name")]
    assert len(keys) > 50 and {type(c.type).__name__ for c in keys} == {"Integer"}


@pytest.mark.parametrize("number", [BIG, "-" + BIG, "1e9", "٣"])
def test_query_integers_past_the_range_are_ignored(w, officer, number):
    F.place(w.funder, "36061000100")
    db.session.commit()
    r = officer.get(f"/funders/riverside/chna?page={number}")
    assert r.status_code == 200 and "36061000100" in r.get_data(as_text=True)
    r = officer.get(f"/programs/health-2026/board?need={number}&place={number}")
    assert r.status_code == 200
    # Not a run id: no comparison is asked for.
    assert officer.get(f"/programs/health-2026/scoring/compare?a={number}&b={number}").status_code == 200


def test_form_integers_past_the_range_are_ignored(any_app):
    network = F.organization("network", name="Westside Network", slug="westside")
    coordinator = F.user("coord@westside.org", org=network, role=R.APPLICANT)
    member = F.cbo(name="Member Org", slug="member-org")
    F.network_member(network, member)
    db.session.commit()
    client = any_app.test_client(user=coordinator)
    r = client.post("/organizations/westside/members", data={"action": "invite", "member_id": BIG})
    assert r.status_code == 422 and "Find the organization by its exact name or EIN" in r.get_data(as_text=True)
    r = client.post("/organizations/westside/members", data={"action": "remove", "member_id": BIG})
    assert r.status_code == 302
    db.session.expire_all()
    assert [m.slug for m in db.session.get(Organization, network.id).members] == ["member-org"]


def test_query_int_helper_bounds_and_parses_only_plain_digits():
    from grantflow.core.inputs import query_int

    assert query_int("42") == 42 and query_int(" 7 ") == 7 and query_int("-3") == -3
    assert query_int(LARGEST) == 2**31 - 1 and query_int("-" + str(2**31)) == -(2**31)
    for bad in (JUST_PAST, "-" + str(2**31 + 1), BIG, "1e9", "1_000", "٣", "", "x", "9" * 5000):
        with pytest.raises(ValueError):
            query_int(bad)


# --- NUL characters, which PostgreSQL refuses in text --------------------------------------------

def test_nul_in_a_path_segment_is_not_found(w, officer):
    assert officer.get("/programs/health%00-2026").status_code == 404
    assert officer.get("/funders/river%00side/chna").status_code == 404


def test_nul_in_query_and_form_values_is_removed(w, officer, any_app):
    r = officer.post("/programs/new", data=dict(VALID, title="Housing\x00 Justice Fund",
                                                contact_name="Pat\x00", description="a\x00b"))
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    program = db.session.execute(select(Program).where(Program.title == "Housing Justice Fund")).scalar_one()
    assert (program.contact_name, program.description) == ("Pat", "ab")
    network = F.organization("network", name="Westside Network", slug="westside")
    coordinator = F.user("coord@westside.org", org=network, role=R.APPLICANT)
    db.session.commit()
    r = any_app.test_client(user=coordinator).get("/organizations/westside/members?q=East%00side")
    assert r.status_code == 200
    assert any_app.test_client().post("/login", data={"email": "po@riverside.org\x00",
                                                      "password": "x"}).status_code in (200, 422)


# --- the program form: amounts, dates and numbers in range, with a message at the field ------------

@pytest.mark.parametrize("field,value,message", [
    ("budget_cents", "9" * 30, "That amount is too large"),
    ("budget_cents", "1e9", "Write the amount in digits"),
    ("budget_cents", "$1,000.999", "at most two digits after the decimal point"),
    ("max_applicant_budget_cents", "9" * 40, "That amount is too large"),
    ("opens_at", "9999-12-31T23:59", "Enter a date between 1900 and 2200."),
    ("closes_at", "0001-01-01T00:00", "Enter a date between 1900 and 2200."),
    ("grant_start", "9999-12-31", "Enter a date between 1900 and 2200."),
    ("reviewers_per_application", "9" * 30, "Enter a number from 1 to 20."),
    ("reviewers_per_application", "9" * 400, "That number is too large."),  # NumberRange's float() overflowed
])
def test_program_form_values_out_of_range_get_a_field_message(w, officer, field, value, message):
    data = dict(VALID, timezone="Pacific/Kiritimati", **{field: value})
    if field == "closes_at":
        data["opens_at"] = ""
    r = officer.post("/programs/new", data=data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-error"' in html and f'value="{value}"' in html  # at the field, as typed
    assert db.session.execute(select(Program).where(Program.title == VALID["title"])).first() is None


def test_program_form_accepts_dates_at_the_edges_of_the_range(w, officer):
    r = officer.post("/programs/new", data=dict(VALID, timezone="Pacific/Kiritimati", opens_at="1900-01-01T00:00",
                                                closes_at="2200-12-31T23:59", review_ends_at="",
                                                decisions_release_at="", grant_start="1900-01-01",
                                                grant_end="2200-12-31"))
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    program = db.session.execute(select(Program).where(Program.title == VALID["title"])).scalar_one()
    assert program.closes_at.year == 2200 and program.grant_end.year == 2200


# --- numbers: in plain digits, within what their column holds ---------------------------------------

@pytest.mark.parametrize("field,value,message", [
    ("min_value", "1000000000000", "Enter a number from -999,999,999,999 to 999,999,999,999."),  # Numeric(14, 2)
    ("max_value", "-1000000000000", "Enter a number from -999,999,999,999 to 999,999,999,999."),
    ("min_value", "0.001", "Use at most 2 digits after the decimal point."),  # was rounded by the column
    ("min_value", "1e-999999999", "Enter a number, like 2 or 1.5."),  # a billion digits when shown
    ("max_value", "9" * 400, "That number is too large."),
])
def test_question_limits_in_range_of_their_column(w, officer, field, value, message):
    r = officer.post("/programs/health-2026/questions", data={"label": "How many?", "kind": "number", field: value})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html and f'value="{value}"' in html
    from grantflow.programs.models import CustomQuestion

    assert db.session.execute(select(CustomQuestion)).first() is None


@pytest.mark.parametrize("url,data,message", [
    ("/programs/health-2026/rubric", {"label": "Voice", "weight": "1.2345", "scale_min": "1", "scale_max": "5"},
     "Use at most 3 digits after the decimal point."),
    ("/programs/health-2026/rubric", {"label": "Voice", "weight": "NaN", "scale_min": "1", "scale_max": "5"},
     "Enter a number, like 2 or 1.5."),
    ("/funders/riverside/chna/needs", {"name": "Housing", "weight": "1e309"}, "Enter a number, like 2 or 1.5."),
    ("/funders/riverside/chna/needs", {"name": "Housing", "rank": "9" * 400}, "That number is too large."),
])
def test_weights_and_ranks_in_plain_digits(w, officer, url, data, message):
    r = officer.post(url, data=data)
    assert r.status_code == 422 and message in r.get_data(as_text=True)


@pytest.mark.parametrize("hours,message", [("sNaN", "Enter a number, like 2 or 1.5."),  # math.isnan raised
                                           ("1e-999999999", "Enter a number, like 2 or 1.5."),
                                           ("12.255", "Use at most 2 digits after the decimal point.")])
def test_burden_survey_hours_in_plain_digits(w, any_app, hours, message):
    applicant = any_app.test_client(user=w.users["applicant"])
    r = applicant.post(f"/applications/{w.application.id}/burden-survey", data={"hours_spent": hours, "burden": "3"})
    assert r.status_code == 422 and message in r.get_data(as_text=True)


# --- row numbers in field names and buttons --------------------------------------------------------

ODD_ROWS = ["²", "٣", "9" * 5000]


@pytest.mark.parametrize("row", ODD_ROWS)
def test_odd_row_numbers_in_an_application_are_ignored(w, any_app, row):
    """WTForms' FieldList and the row buttons took any str.isdigit() text, and int("²") raised."""
    draft = F.application(w.program, w.cbo, status="draft")
    db.session.commit()
    applicant = any_app.test_client(user=w.users["applicant"])
    url = f"/applications/{draft.id}/edit"
    for data in ({f"budget-{row}-amount": "1", "title": "Odd rows"}, {"action": f"remove_line:{row}"},
                 {"action": f"remove_outcome:{row}"}, {"action": f"remove_attachment:{row}"}):
        assert applicant.post(url, data=data).status_code < 400, data
    db.session.expire_all()
    saved = db.session.get(type(draft), draft.id)
    assert saved.status == "draft" and saved.budget_lines == []


@pytest.mark.parametrize("row", ODD_ROWS)
def test_odd_row_numbers_in_feedback_loops_are_ignored(w, any_app, row):
    applicant = any_app.test_client(user=w.users["applicant"])
    for data in ({f"loops-{row}-method": "Assembly", "board_total": "5"}, {"action": f"remove_loop:{row}"}):
        assert applicant.post("/organizations/eastside/practices", data=data).status_code < 500, data


@pytest.mark.parametrize("target", ["//[", "http://[::1", "/\\[", "/\\evil.example", "\\\\evil.example"])
def test_an_unparseable_next_goes_to_the_dashboard(w, any_app, target):
    """urlsplit raised ValueError ("Invalid IPv6 URL") on a `next` like //[ after a good login; and
    a browser reads /\\evil.example as //evil.example."""
    from tests.factories import PASSWORD

    r = any_app.test_client().post("/login", query_string={"next": target},
                                   data={"email": "po@riverside.org", "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard")


def test_a_blank_rank_is_asked_for_again(w, any_app):
    """A rank of " " passed InputRequired, was stripped to "", and int("") raised (found by the route fuzz)."""
    need = F.need(w.funder, "Housing", 1)
    db.session.commit()
    advisor = any_app.test_client(user=w.users["community_advisor"])
    r = advisor.post("/funders/riverside/advise", data={f"need_{need.id}_rank": " "})
    assert r.status_code == 422 and "Choose a rank for Housing." in r.get_data(as_text=True)
