"""Counters and markers: fields with a limit announce it (a counter with a polite live region) and
never cut what was pasted (no `maxlength`); text over the limit is kept and told at the field;
required answers are marked before anything is sent."""
from __future__ import annotations

import re

from grantflow.core.db import db
from grantflow.organizations.models import Organization


def test_no_field_cuts_text_and_limits_are_counted(scene, draft, login):
    for url in (f"/applications/{draft.id}/edit", "/organizations/eastside/profile",
                "/organizations/eastside/demographics", "/organizations/eastside/practices"):
        html = draft.client.get(url).get_data(as_text=True)
        assert "maxlength" not in html, url
    html = draft.client.get(f"/applications/{draft.id}/edit").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*data-limit-chars="5000"[^>]*id="summary"|<textarea[^>]*id="summary"[^>]*'
                     r'data-limit-chars="5000"', html)
    assert re.search(r'id="q_story"[^>]*data-limit-words="50"|data-limit-words="50"[^>]*id="q_story"', html)
    assert 'id="q_story-counter"' in html and "Up to 50 words." in html
    assert '<p class="visually-hidden" id="summary-counter-live" aria-live="polite">' in html
    summary = re.search(r'<textarea[^>]*id="summary"[^>]*>', html).group(0)
    assert "summary-counter" in summary  # the counter describes its field


def test_pasted_text_over_a_limit_is_kept_whole_and_told_at_the_field(scene, login):
    client = login(scene.user)
    long_mission = "m" * 5001
    r = client.post("/organizations/eastside/profile", data={
        "name": "Eastside Tenants Union", "ein": "12-3456789", "tax_exempt": "yes", "mission": long_mission})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert long_mission in html  # nothing cut
    assert re.search(r'id="mission-error">[^<]*5000 characters', html)
    db.session.expire_all()
    assert db.session.get(Organization, scene.cbo.id).mission != long_mission


def test_required_answers_are_marked_before_submission(scene, draft):
    html = draft.client.get(f"/applications/{draft.id}/edit").get_data(as_text=True)
    for field_id in ("title", "summary", "amount_requested", "community_voice", "q_staff"):
        line = re.search(rf'<div class="label-line"><label for="{field_id}">[^<]*</label>(.*?)</div>', html, re.S)
        assert line and "(required)" in line.group(1), field_id
        tag = re.search(rf'<(?:input|textarea)[^>]*id="{field_id}"[^>]*>', html).group(0)
        assert 'aria-required="true"' in tag, field_id
    assert re.search(r'<label for="q_story">Tell us a story</label>\s*<p class="hint"', html)  # optional: unmarked
    assert re.search(r"<legend>Community health needs this project addresses <span class=\"required-marker\">"
                     r"\(required\)</span></legend>", html)
