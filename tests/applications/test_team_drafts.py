"""Two people of a team on one draft: each save carries the version it was made from, so a save
from an older version than a colleague's is refused with their name and the time (in the
program's zone), keeping everything typed on the page; saving again keeps it on purpose. And the
trail of who changed what (fields, files, submission, withdrawal), for the team and the funder's
staff but not reviewers. On SQLite and PostgreSQL; the database is read back after `expire_all`."""
from __future__ import annotations

import io
import re

import pytest

from grantflow.applications import activity
from grantflow.applications.models import DRAFT, Application
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.reviews.models import ReviewAssignment
from tests import factories as F
from tests.applications.conftest import build_scene, complete_form

REV = re.compile(r'name="base_revision" id="base-revision" value="(\d+)"')


@pytest.fixture
def pair(any_app):
    s = build_scene()
    s.editor = F.team_member(s.cbo, R.TEAM_EDITOR, "eli@eastside.org", "Eli Editor")
    s.viewer = F.team_member(s.cbo, R.TEAM_VIEWER, "val@eastside.org", "Val Viewer")
    s.draft = F.application(s.program, s.cbo, status=DRAFT)
    db.session.commit()
    s.dana, s.eli = any_app.test_client(user=s.user), any_app.test_client(user=s.editor)
    s.url = f"/applications/{s.draft.id}"
    return s


def _opened(client, url) -> str:
    page = client.get(f"{url}/edit")
    assert page.status_code == 200
    return REV.search(page.get_data(as_text=True)).group(1)


def _stored() -> Application:
    db.session.expire_all()
    return db.session.execute(db.select(Application)).scalars().first()


def test_a_stale_save_names_who_saved_and_keeps_what_was_typed(pair):
    dana_base, eli_base = _opened(pair.dana, pair.url), _opened(pair.eli, pair.url)
    assert dana_base == eli_base
    r = pair.dana.post(f"{pair.url}/edit", data=complete_form(pair, action="save", title="Dana's title",
                                                              base_revision=dana_base))
    assert r.status_code == 302
    typed = complete_form(pair, action="save", title="Eli's title", summary="Eli typed this summary.",
                          base_revision=eli_base)
    r = pair.eli.post(f"{pair.url}/edit", data=typed)
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert re.search(r"Dana Rivera saved another version of this draft at \d{1,2}:\d\d [AP]M E[SD]T on ", page)
    assert "Eli&#39;s title" in page and "Eli typed this summary." in page  # nothing typed is lost
    stored = _stored()
    assert stored.title == "Dana's title" and stored.last_edited_by_id == pair.user.id

    # Saving again from the page that told them keeps Eli's version, on purpose.
    r = pair.eli.post(f"{pair.url}/edit", data=typed | {"base_revision": REV.search(page).group(1)})
    assert r.status_code == 302
    stored = _stored()
    assert stored.title == "Eli's title" and stored.last_edited_by_id == pair.editor.id
    assert "Last edited by Eli Editor" in pair.dana.get(f"{pair.url}/edit").get_data(as_text=True)


def test_a_stale_autosave_is_refused_in_json_naming_the_colleague(pair):
    base = _opened(pair.eli, pair.url)
    ok = pair.dana.post(f"{pair.url}/autosave", data={"title": "Dana typing", "base_revision": _opened(pair.dana, pair.url),
                                                      "page_token": "dana-laptop"})
    assert ok.status_code == 200 and ok.get_json()["revision"] == int(base) + 1
    assert ok.get_json()["last_edited"].startswith("Last edited by Dana Rivera, ")
    r = pair.eli.post(f"{pair.url}/autosave", data={"title": "Eli typing", "base_revision": base})
    assert r.status_code == 409
    body = r.get_json()
    assert body["conflict"] is True and body["revision"] == int(base) + 1
    assert body["error"].startswith("Dana Rivera saved another version of this draft at ")
    assert _stored().title == "Dana typing"
    # A save from the page of one's own newer save is no conflict (an autosave still in flight).
    again = pair.dana.post(f"{pair.url}/autosave", data={"title": "Dana again", "base_revision": base,
                                                         "page_token": "dana-laptop"})
    assert again.status_code == 200 and _stored().title == "Dana again"


def test_one_person_in_two_windows_is_told_before_one_overwrites_the_other(pair):
    """Found by hand: a summary typed and saved on a laptop was wiped by "Save draft" on a phone
    still showing the empty summary, with "Draft saved.". The same person's save from another
    page is a conflict like a colleague's, worded as theirs; nothing is written, nothing typed lost."""
    laptop = pair.dana.get(f"{pair.url}/edit").get_data(as_text=True)
    phone = pair.dana.get(f"{pair.url}/edit").get_data(as_text=True)
    token = re.compile(r'name="page_token" value="([^"]+)"')
    assert token.search(laptop).group(1) != token.search(phone).group(1)
    r = pair.dana.post(f"{pair.url}/edit", data=complete_form(
        pair, action="save", title="Housing repairs", summary="The laptop's summary.",
        base_revision=REV.search(laptop).group(1), page_token=token.search(laptop).group(1)))
    assert r.status_code == 302
    typed = complete_form(pair, action="save", title="Housing repairs, phone", summary="",
                          base_revision=REV.search(phone).group(1), page_token=token.search(phone).group(1))
    r = pair.dana.post(f"{pair.url}/edit", data=typed)
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "You saved another version of this draft in another window or on another device at " in page
    assert "Housing repairs, phone" in page
    assert _stored().summary == "The laptop&#39;s summary.".replace("&#39;", "'")
    # The phone's autosave is refused the same way, in JSON.
    r = pair.dana.post(f"{pair.url}/autosave", data={"title": "Phone typing", "base_revision": REV.search(phone).group(1),
                                                     "page_token": token.search(phone).group(1)})
    assert r.status_code == 409 and r.get_json()["conflict"] is True
    assert _stored().summary == "The laptop's summary."


def test_the_trail_tells_who_changed_what(pair, any_app):
    pair.dana.post(f"{pair.url}/edit", data=complete_form(pair, action="save", title="First"))
    pair.dana.post(f"{pair.url}/autosave", data=complete_form(pair, title="Second", summary="Changed too"))
    files = {"attachment": (io.BytesIO(b"a,b\n1,2\n"), "budget.csv")}
    pair.eli.post(f"{pair.url}/edit", data=complete_form(pair, action="save") | files,
                  content_type="multipart/form-data")
    att = _stored().attachments[0]
    pair.eli.post(f"{pair.url}/edit", data=complete_form(pair, action=f"remove_attachment:{att.id}"))
    _opened(pair.eli, pair.url)
    with pair.eli.session_transaction() as sess:
        token = sess["submit_tokens"][str(pair.draft.id)]
    assert pair.eli.post(f"{pair.url}/edit", data=complete_form(pair, action="submit", submit_token=token)).status_code == 302
    assert pair.dana.post(f"{pair.url}/withdraw", data={"confirm": "yes"}).status_code == 302

    db.session.expire_all()
    lines = [f"{e.who} {e.what}" for e in reversed(activity.trail(_stored()))]
    # Dana's two saves within minutes are one entry, with every field either changed.
    dana = [line for line in lines if line.startswith("Dana Rivera edited")]
    assert len(dana) == 1
    for label in ("project title", "project summary", "budget", "outcomes", "community voice",
                  "“How many staff work on it?”"):
        assert label in dana[0]
    assert "Eli Editor added the file budget.csv" in lines
    assert "Eli Editor removed the file budget.csv" in lines
    assert lines[-2:] == ["Eli Editor submitted the application", "Dana Rivera withdrew the application"]

    # Shown to the team (a viewer too) and the funder's staff; never to a reviewer.
    for user in (pair.viewer, pair.officer):
        page = any_app.test_client(user=user).get(pair.url).get_data(as_text=True)
        assert "Who changed what" in page and "Eli Editor added the file budget.csv" in page
    db.session.add(ReviewAssignment(application_id=pair.draft.id, reviewer_id=pair.reviewer.id))
    db.session.commit()
    page = any_app.test_client(user=pair.reviewer).get(pair.url).get_data(as_text=True)
    assert "Who changed what" not in page and "Eli Editor" not in page
