"""The interface in other languages (grantflow/core/i18n.py, translations/).

Every string marked for translation has a Spanish entry; every applicant page, rendered with a
pseudo-locale that wraps each translated string in ⟦ ⟧, shows no English left unwrapped; a browser
asking for Spanish gets the applicant's pages in Spanish with `lang="es"`, and a saved choice wins
over the browser; dates, money and numbers follow the language, English unchanged.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
from html.parser import HTMLParser

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import JSON, String, Text, select

from grantflow.accounts.models import User
from grantflow.core import catalogs
from grantflow.core.db import db
from tests import factories as F

ES = catalogs.TRANSLATIONS / "es" / "LC_MESSAGES"
SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


# --- the catalog is complete --------------------------------------------------------------------------

def test_every_marked_string_has_a_spanish_translation():
    with open(ES / "messages.po", "rb") as fh:
        spanish = read_po(fh, locale="es")
    marked = catalogs.extract()
    assert len(marked) > 400  # the extraction found the templates, forms and views
    missing = [m.id for m in marked if m.id and m.id not in spanish]
    assert missing == [], "marked strings with no Spanish entry: run `make messages` and translate them"
    assert catalogs.untranslated(spanish) == [], "Spanish entries left empty or fuzzy"
    # Placeholders match their English (%(name)s kept, none added): a mismatch would fail at render.
    assert [(m.id, [str(e) for e in errors]) for m, errors in spanish.check()] == []


def test_the_compiled_spanish_catalog_is_current():
    """`make install` compiles the .po; a .po edited since is recompiled by the next one."""
    mo = ES / "messages.mo"
    assert mo.exists() and mo.stat().st_mtime >= (ES / "messages.po").stat().st_mtime, "run `make install`"


# --- no English left unmarked on an applicant's page -------------------------------------------------

class _VisibleText(HTMLParser):
    """The text a person meets: element text, and the attributes read aloud or shown (title,
    alt, aria-label, placeholder, a button's value); not scripts, styles or the hidden head, nor
    a text box's value (what is typed, or the funder's own wording it starts from, is content), nor
    code (a placeholder's name, a fingerprint, a header)."""

    SPOKEN = ("title", "alt", "aria-label", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template", "textarea", "code"):
            self._skip += 1
        for name, value in attrs:
            # data-msg-*, data-left-*, data-over-*: the sentences a script shows (static/*.js).
            if value and (name in self.SPOKEN or name.startswith(("data-label", "data-msg-", "data-left-", "data-over-"))):
                self.parts.append(value)
            if value and name == "value" and tag == "input" and dict(attrs).get("type") in ("submit", "button"):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "textarea", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _user_data() -> list[str]:
    """Every string stored in the database (names, titles, answers, rubric anchors): shown as typed,
    in the language it was written in."""
    values: set[str] = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        if columns:
            for row in db.session.execute(select(*columns)).all():
                values.update(v for v in _strings(list(row)) if v.strip())
    return sorted(values, key=len, reverse=True)


# Words that are the same in any language: names and codes, not sentences.
_PROPER = {"GrantFlow", "English", "Español", "PDF", "DOCX", "XLSX", "CSV", "PNG", "JPEG", "EIN", "KB", "MB"}


def _unwrapped_english(page: str, user_data: list[str]) -> list[str]:
    parser = _VisibleText()
    parser.feed(page)
    text = " ¶ ".join(parser.parts)
    # Innermost first: a translated word inside a translated sentence ("invited as ⟦Viewer⟧") nests.
    while (unwrapped := re.sub(r"⟦[^⟦⟧]*⟧", " ", text)) != text:
        text = unwrapped
    # Stored values as whole words: a stored language code ("en") is no licence for "enero" to lose its "en".
    if user_data:
        text = re.sub("|".join(r"(?<!\w)" + re.escape(v) + r"(?!\w)" for v in user_data), " ", text)
    text = re.sub(r"\{/?\w+\}", " ", text)  # a script's placeholders ("Saved at {time}.")
    text = re.sub(r"https?://\S+", " ", text)  # a link written out (in a message preview) is no language
    words = re.findall(r"[^\W\d_][^\W\d_'’]+", text)
    # Month and day abbreviations Babel writes for the locale, and zone abbreviations (PST, EDT).
    return [w for w in words if w not in _PROPER and not (w.isupper() and len(w) <= 5) and w.lower() not in _DATE_WORDS]


_DATE_WORDS = {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "sep", "oct", "nov", "dic",
               "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
               "noviembre", "diciembre", "de", "p", "m", "a"}


@pytest.fixture(scope="module")
def pseudo_catalogs(tmp_path_factory):
    """A compiled "es" catalog whose every translation is its English wrapped in ⟦ ⟧."""
    folder = tmp_path_factory.mktemp("pseudo")
    pseudo = Catalog(locale="es")
    for m in catalogs.extract():
        if not m.id:
            continue
        wrap = (lambda s: "⟦" + s + "⟧")  # noqa: E731
        pseudo.add(m.id, tuple(wrap(s) for s in m.id) if isinstance(m.id, tuple) else wrap(m.id),
                   context=m.context)
    pseudo._num_plurals, pseudo._plural_expr = 2, "(n != 1)"  # as the Spanish catalog's header says
    (folder / "es" / "LC_MESSAGES").mkdir(parents=True)
    with open(folder / "es" / "LC_MESSAGES" / "messages.mo", "wb") as fh:
        write_mo(fh, pseudo)
    return folder


def _english_left(responses, user_data: list[str], ok=(200,)) -> dict[str, list[str]]:
    """{name: English words left unwrapped} of (name, response) pairs rendered in the pseudo-locale."""
    found = {}
    for name, response in responses:
        assert response.status_code in ok, name
        page = response.get_data(as_text=True)
        assert '<html lang="es">' in page, name
        left = _unwrapped_english(page, user_data)
        if left:
            found[name] = sorted(set(left))
    return found


def _render_all(pages, user_data: list[str]) -> dict[str, list[str]]:
    """Each (client, url) fetched in the pseudo-locale; {url: English words left unwrapped}."""
    return _english_left(((url, client.get(url, headers=SPANISH)) for client, url in pages), user_data)


CROSSWALK = ("ZIP,TRACT,USPS_ZIP_PREF_CITY,USPS_ZIP_PREF_STATE,RES_RATIO,BUS_RATIO,OTH_RATIO,TOT_RATIO\n"
             "92254,06065042012,MECCA,CA,1,1,1,1\n92254,06065042013,MECCA,CA,1,1,1,1\n")


def _applicant_world(w):
    """What an applicant's pages show: a draft, a submitted application with its timeline, needs,
    places (found by ZIP code through a crosswalk) and outcomes, a burden survey to answer, and a
    team with a colleague and an invitation waiting for an answer. Returns the draft and the
    invitation's token."""
    from grantflow.accounts import services as accounts
    from grantflow.chna import crosswalk
    from grantflow.core import roles as R

    need = F.need(w.funder, "Housing stability", 1)
    place = F.place(w.funder, "06065042012", name="Mecca")
    F.place(w.funder, "06065042013", name="Census Tract 420.13")
    draft_program = F.program(w.funder, slug="health-2027", title="Community Health 2027")
    draft = F.application(draft_program, w.cbo, status="draft")
    w.application.needs.append(need)
    w.application.places.append(place)
    F.team_member(w.cbo, R.TEAM_EDITOR, "eli@eastside.org", "Eli Editor")
    crosswalk.import_bytes(w.funder.id, CROSSWALK.encode())
    _, token = accounts.create_invitation(w.cbo, "rosa@eastside.org", R.APPLICANT, w.users["applicant"],
                                          team_role=R.TEAM_VIEWER)
    db.session.commit()
    return draft, token


def _proper_names() -> list[str]:
    """County and state names (the Census Bureau's, as place names show them in any language)."""
    from grantflow.chna import names

    return sorted({*(names.county_name(c) or "" for c in ("06065",)), names.state_name("06") or ""} - {""},
                  key=len, reverse=True)


APPLICANT_PAGES = (
    "/", "/opportunities", "/login", "/register", "/reset", "/verify",
)


class TestPseudoLocale:
    @pytest.fixture
    def app_config(self, pseudo_catalogs):
        return {"BABEL_TRANSLATION_DIRECTORIES": str(pseudo_catalogs)}

    def test_every_applicant_page_is_marked_for_translation(self, app, world, login):
        draft, token = _applicant_world(world)
        anonymous = app.test_client()
        applicant = login(world.users["applicant"])
        a = world.application
        profile = f"/organizations/{world.cbo.slug}/profile"
        anonymous_pages = (*APPLICANT_PAGES, f"/invitations/{token}")
        pages = [(anonymous, url) for url in anonymous_pages] + [(applicant, url) for url in (
            "/dashboard", "/account", f"/programs/{world.program.slug}", f"/programs/{world.program.slug}/apply",
            f"/applications/{draft.id}/edit", f"/applications/{a.id}", f"/applications/{a.id}/withdraw",
            f"/applications/{a.id}/feedback", f"/applications/{a.id}/burden-survey",
            f"/programs/{world.program.slug}/you-said-we-did", profile,
            # The place picker: a ZIP code's tracts (to choose them all), a name, a query matching nothing.
            f"{profile}?places_q=92254", f"{profile}?places_q=Mecca", f"{profile}?places_q=9225",
            f"/applications/{draft.id}/edit?places_q=92254", f"/applications/{draft.id}/edit?places_q=nowhere",
            f"/organizations/{world.cbo.slug}/team",
        )]
        _assert_all_marked(pages, _user_data() + _proper_names())

    def test_every_officer_page_is_marked_for_translation(self, app, world, login):
        from flask import url_for

        from grantflow.core.timeutil import timezone_choices

        _applicant_world(world)
        args = _officer_args(world, _officer_world(world))
        # The program form's time zones are named as the tz database names them (America/Los Angeles).
        zones = sorted({z.replace("_", " ") for z in timezone_choices()}, key=len, reverse=True)
        user_data = sorted({*_user_data(), *_proper_names(), *zones, *_outside_plugins_words()}, key=len, reverse=True)
        clients = {role: login(world.users[role]) for role in ("program_officer", "funder_admin")}
        with app.test_request_context():  # a path as it is when its endpoint has several (HTML, CSV)
            pages = [(clients[role], endpoint.format(**args) if endpoint.startswith("/") else url_for(
                endpoint, **{name: args[name] for name in names})) for role, endpoint, names in OFFICER_PAGES]
            docs = url_for("api.docs")
        # The OpenAPI document's words are set aside on its docs page alone (elsewhere they would hide English).
        _assert_all_marked([p for p in pages if p[1] != docs], user_data)
        _assert_all_marked([p for p in pages if p[1] == docs],
                           sorted({*user_data, *_api_spec_words()}, key=len, reverse=True))


    def test_the_audit_and_a_refused_k_are_marked(self, app, world, login):
        """The audit's words built in Python (findings, board summary, labels, suppression, charts) on a
        program with a disparity, flags and a withheld group, and its settings form refusing k = 3."""
        from tests.equity.test_outputs import _cycle

        prog = _cycle(world.funder, "audit-2026", [(True, 120, 15), (False, 80, 32), (None, 3, 1)], series=None,
                      cycle_label="2026")
        db.session.commit()
        officer = login(world.users["program_officer"])
        pages = {"audit": officer.get(f"/programs/{prog.slug}/audit", headers=SPANISH),
                 "refused k": officer.post(f"/programs/{prog.slug}/audit/settings", data={"k": "3"}, headers=SPANISH)}
        assert pages["refused k"].status_code == 422
        found = _english_left(pages.items(), _user_data(), ok=(200, 422))
        assert not found, f"English shown without translation: {found}"

    def test_the_changes_between_two_score_runs_are_marked(self, app, world, login):
        """The compare page's changes in the rules (added, version, weight, a parameter) are words of
        the interface around the rules' own labels."""
        from grantflow.programs.models import ProgramRule
        from grantflow.scoring import engine

        db.session.add(ProgramRule(program_id=world.program.id, rule_key="first_time_small", enabled=True, weight=1,
                                   params={}))
        db.session.commit()
        before = engine.rescore(world.program.id)
        rule = db.session.execute(db.select(ProgramRule).where(ProgramRule.program_id == world.program.id)).scalar_one()
        rule.weight, rule.params = 20, {"budget_threshold_dollars": 250_000}
        db.session.add(ProgramRule(program_id=world.program.id, rule_key="community_led", enabled=True, weight=2,
                                   params={}))
        db.session.commit()
        after = engine.rescore(world.program.id)
        db.session.commit()
        officer = login(world.users["program_officer"])
        page = officer.get(f"/programs/{world.program.slug}/scoring/compare?a={before.id}&b={after.id}",
                           headers=SPANISH)
        text = page.get_data(as_text=True)
        assert "⟦⟦First-time and small organizations⟧: weight 1 → 20⟧" in text, text
        found = _english_left([("compare", page)], _user_data())
        assert not found, f"English shown without translation: {found}"


def _assert_all_marked(pages, user_data: list[str]) -> None:
    """Each (client, url) page, asked for in Spanish, answers in the pseudo-locale with no English left."""
    found = _render_all(pages, user_data)
    assert not found, f"English shown without translation (wrap it in _() / {{% trans %}}): {found}"


def _outside_plugins_words() -> list[str]:
    """A scoring rule from a plugin installed apart from GrantFlow (the tests' example plugin) speaks
    its own words: its label, description and parameters are its author's, like a funder's content."""
    from grantflow.scoring.registry import available_rules

    words = set()
    for rule in available_rules().values():
        if not type(rule).__module__.startswith("plugins."):
            words.update(str(t) for t in (rule.label, rule.description, *(p.label for p in rule.params),
                                          *(p.help for p in rule.params)) if t)
    return sorted(words, key=len, reverse=True)


def _api_spec_words() -> list[str]:
    """The API docs page shows the OpenAPI document (its operations, schemas and fields, named and
    described in the code's words) around its own sentences: the document is content, like a funder's."""
    from grantflow.api.views import spec

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                yield str(k)
                yield from walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from walk(v)
        elif isinstance(value, str):
            yield value

    document = spec()
    tags = [t["name"].removeprefix("api_").capitalize() for t in document.get("tags", [])]
    return sorted({w for w in (*walk(document), *tags) if w.strip()}, key=len, reverse=True)


def _officer_world(w):
    """What the funder's staff see besides the applicant's world (whose need they edit): a custom question, an award with
    two instalments and an interim report, its letter issued and released and its agreement signed,
    a letter batch, a "you said, we did" entry, a webhook endpoint, an API token, and conflicts of
    interest (one declared, which keeps a reviewer off the application; one a blind reviewer's hunch)."""
    from grantflow.api import tokens
    from grantflow.reviews.models import ConflictOfInterest
    from tests.authz import awards, feedback, letters, programs, webhooks

    ids = {"question_id": programs._question(w), "criterion_id": programs._criterion(w), "award": awards._award(w),
           "agreement_id": letters._agreement_id(w), "batch_id": letters._finished_batch_id(w),
           "entry_id": feedback._entry_id(w), "endpoint_id": webhooks._endpoint(w),
           "decision_id": letters._decision_id(w), "need_id": w.application.needs[0].id}
    tokens.create(w.users["program_officer"], name="CRM sync", scope="read")
    db.session.add_all([
        ConflictOfInterest(application_id=w.application.id, reviewer_id=w.users["other_reviewer"].id,
                           source="declared", reason_code="declared", reason_args={"reason": "I coach their director"}),
        ConflictOfInterest(application_id=w.other_application.id, reviewer_id=w.users["reviewer"].id,
                           source="recognized", reason_code="recognized",
                           reason_args={"note": "The story sounds like my cousin's group"}),
        ConflictOfInterest(application_id=w.other_application.id, reviewer_id=w.users["other_reviewer"].id,
                           source="records", reason_code="member_of_applicant", reason_args={"role": "community_advisor"})])
    db.session.commit()
    return ids


# The pages a funder's staff see: (who, endpoint or path, the arguments it takes from _officer_args);
# the funder's admin alone sees the letterhead, people, messages and webhooks.
OFFICER_PAGES = (
    *(("program_officer", endpoint, args) for endpoint, args in (
        ("core.dashboard", ()), ("programs.new", ()), ("programs.manage", ("program",)), ("programs.edit", ("program",)),
        ("programs.rubric", ("program",)), ("programs.criterion_edit", ("program", "criterion_id")),
        ("programs.questions", ("program",)), ("programs.question_edit", ("program", "question_id")),
        ("programs.translations_page", ("program",)), ("chna.index", ("slug",)), ("chna.need_edit", ("slug", "need_id")),
        ("decisions.board", ("program",)), ("decisions.decide", ("app_id",)), ("decisions.release", ("program",)),
        ("letters.index", ("program",)), ("letters.edit_template", ("program", "kind")),
        ("letters.letter", ("program", "decision_id")), ("letters.batch", ("program", "batch_id")),
        ("letters.agreement_page", ("app_id",)), ("applications.status", ("app_id",)),
        ("awards.award", ("app_id",)), ("awards.schedule", ("app_id",)), ("awards.instalment", ("instalment_id",)),
        ("awards.review_report", ("report_id",)), ("awards.program_payments", ("program",)),
        ("awards.overview_page", ("slug",)), ("/funders/{slug}/schedule-h", ()), ("/funders/{slug}/chna-report", ()),
        ("awards.schedule_h_payments", ("slug", "category")),
        ("feedback.manage", ("program",)), ("feedback.settings", ("program",)), ("feedback.burden", ("program",)),
        ("feedback.funder_burden", ("slug",)), ("feedback.community_ranking", ("program",)),
        ("feedback.reports", ("program",)), ("feedback.note", ("app_id",)), ("feedback.you_said", ("program",)),
        ("feedback.you_said_edit", ("program",)), ("feedback.you_said_edit", ("program", "entry_id")),
        ("scoring.configure", ("program",)), ("scoring.results", ("program",)), ("scoring.compare", ("program",)),
        ("scoring.whatif", ("program",)), ("scoring.breakdown", ("app_id",)),
        ("reviews.assignments", ("program",)), ("reviews.review_progress", ("program",)),
        ("reviews.assign_reviewers", ("app_id",)), ("api.token_list", ()), ("api.docs", ()),
        ("equity.audit", ("program",)),
    )),
    *(("funder_admin", endpoint, args) for endpoint, args in (
        ("letters.letterhead", ("slug",)), ("accounts.people", ("slug",)), ("accounts.messages", ("slug",)),
        ("webhooks.endpoints", ("slug",)), ("webhooks.endpoint", ("slug", "endpoint_id")),
    )),
)


def _officer_args(w, ids) -> dict:
    return {"program": w.program, "slug": w.funder.slug, "app_id": w.application.id, "kind": "award",
            "category": "part1_7i", "instalment_id": ids["award"]["instalment"], "report_id": ids["award"]["report"],
            **{k: v for k, v in ids.items() if k != "award"}}


class TestPseudoLocaleApplicantRefusals:
    """What an applicant is told when something is refused or missing: eligibility reasons, the
    checks of answers, money and numbers, uploads, demographics, the pages not covered above."""

    @pytest.fixture
    def app_config(self, pseudo_catalogs):
        return {"BABEL_TRANSLATION_DIRECTORIES": str(pseudo_catalogs)}

    def test_refusals_and_remaining_applicant_pages_are_marked(self, app, world, login):
        from grantflow.programs.models import CustomQuestion

        draft, _token = _applicant_world(world)
        strict = F.program(world.funder, slug="strict-2027", title="Strict Grants 2027",
                           max_applicant_budget_cents=100_000_00, blind_review=True)
        world.funder.service_area = ["06065"]
        other = world.other_cbo  # fails every rule of the strict program
        other.ein, other.tax_exempt, other.annual_budget_cents, other.service_area = None, False, 900_000_00, ["36061"]
        program = draft.program
        for key, kind in (("count", "number"), ("why", "long_text"), ("pick", "single_choice"), ("when", "date")):
            db.session.add(CustomQuestion(program=program, key=key, label=f"Q {key}", kind=kind, required=True,
                                          options=["Yes, always", "Only sometimes"] if kind == "single_choice" else [], max_value=10,
                                          word_limit=3))
        db.session.commit()
        applicant = login(world.users["applicant"])
        slug = world.cbo.slug
        ineligible = login(world.users["other_applicant"])
        pages = {url: ineligible.get(url, headers=SPANISH) for url in (
            f"/programs/{strict.slug}", f"/programs/{strict.slug}/apply")}
        pages.update({url: applicant.get(url, headers=SPANISH) for url in (
            f"/organizations/{slug}/demographics", f"/organizations/{slug}/practices",
            f"/organizations/{slug}/networks")})
        def submit(**typed):
            page = applicant.get(f"/applications/{draft.id}/edit").get_data(as_text=True)
            hidden = dict(re.findall(r'name="(submit_token|base_revision)"[^>]*value="([^"]*)"', page))
            return applicant.post(f"/applications/{draft.id}/edit", headers=SPANISH,
                                  data={"action": "submit", **hidden, **typed})

        pages["submit"] = submit(title="Promotoras", amount_requested="1e6", **{"budget-0-amount": "12.345"}, q_count="99",
                                 q_why="one two three four", q_pick="Z", q_when="3000-01-01")
        pages["empty"] = submit()
        pages["stale"] = applicant.post(f"/applications/{draft.id}/edit", headers=SPANISH, data={"action": "submit"})
        pages["demographics"] = applicant.post(f"/organizations/{slug}/demographics", headers=SPANISH, data={
            "consent": "y", "board_total": "2", "board_poc": "5", "ed_race": ["prefer_not_to_say", "asian"]})
        user_data = _user_data() + _proper_names() + ["one two three four", "Promotoras"]  # shown as typed
        found = _english_left(pages.items(), user_data, ok=(200, 409, 422))
        assert not found, f"English shown without translation: {found}"


    def test_field_refusals_from_the_services_are_marked(self, app, world, login):
        """What a service says at a field (an EIN no one is given, codes that are not places, a hidden
        term already listed, too short or too many), and an officer's refused CHNA import."""
        from grantflow.blind import terms as blind_terms

        draft, _token = _applicant_world(world)
        draft.program.blind_review = True
        db.session.commit()
        applicant = login(world.users["applicant"])
        slug = world.cbo.slug
        pages = {"profile": applicant.post(f"/organizations/{slug}/profile", headers=SPANISH, data={
            "name": "Eastside", "ein": "00-1234567", "tax_exempt": "yes", "service_codes": "abc, 99123, 06065"})}
        terms_url = f"/applications/{draft.id}/hidden-terms"
        assert applicant.post(terms_url, headers=SPANISH, data={"text": "Harbor House"}).status_code == 302
        for n, typed in enumerate(("harbor house", "x", "y" * 250)):
            pages[f"term {n}"] = applicant.post(terms_url, headers=SPANISH, data={"text": typed})
        blind_terms.MAX_TERMS, max_terms = 1, blind_terms.MAX_TERMS
        try:
            pages["too many terms"] = applicant.post(terms_url, headers=SPANISH, data={"text": "Second Street"})
        finally:
            blind_terms.MAX_TERMS = max_terms
        officer = login(world.users["program_officer"])
        bad = (b"geoid,name,index,population,priority\n36061000100,,0.2,12x,maybe\n9999,Bad,,-4,\n"
               b"36061000100,Again,0.5,10000000000,yes\n06065042099,%s,0.3,,\n" % (b"n" * 300))
        url = f"/funders/{world.funder.slug}/chna/places/import"
        pages["import"] = officer.post(url, headers=SPANISH, data={"imp-file": (io.BytesIO(bad), "bad.csv")})
        pages["columns"] = officer.post(url, headers=SPANISH, data={"imp-file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")})
        pages["svi columns"] = officer.post(url, headers=SPANISH,
                                            data={"imp-file": (io.BytesIO(b"FIPS,LOCATION\n1,2\n"), "svi.csv")})
        from grantflow.blind.lexicon import lexicon_for

        # The applicant's own records, listed as what reviewers will not see.
        typed = [t.text for t in lexicon_for(draft).terms] + ["00-1234567", "abc", "99123", "Harbor House", "harbor house", "y" * 250, "Second Street", "Bad",
                 "Again", "n" * 300, "12x", "maybe", "9999", "10000000000", "36061000100", "06065042099", "bad.csv"]
        user_data = sorted({*_user_data(), *_proper_names(), *typed}, key=len, reverse=True)  # longest first
        found = _english_left(pages.items(), user_data, ok=(200, 422))
        assert not found, f"English shown without translation: {found}"


def _reviewer_world(w):
    """A rubric with guidance, a blind program with an untitled application assigned to the
    reviewer, a submitted review by another reviewer (shown once the reviewer's own is in), answered
    questions and a need, some of the funder's content given in Spanish, and priorities for the
    community advisor to rank. Returns the blind application."""
    from grantflow.applications.models import Answer
    from grantflow.core import translations
    from grantflow.programs.models import CustomQuestion, option_field
    from grantflow.reviews.models import ReviewAssignment

    need = F.need(w.funder, "Housing stability", 1, description="Rent burden above half of income.")
    F.place(w.funder, "06065042012", name="Mecca")
    blind_program = F.program(w.funder, slug="blind-2026", title="Blind Grants 2026", blind_review=True)
    blind_application = F.application(blind_program, w.other_cbo, title="")
    db.session.add(ReviewAssignment(application=blind_application, reviewer=w.users["reviewer"]))
    w.program.reviewers_see_others = True
    for program, application in ((w.program, w.application), (blind_program, blind_application)):
        pick = CustomQuestion(program=program, key="lang", label="Main language", help_text="The one most speak.",
                              kind="multiple_choice", options=["Spanish", "English"])
        why = CustomQuestion(program=program, key="why", label="Why now?", kind="long_text")
        db.session.add_all([pick, why])
        application.needs.append(need)
        db.session.flush()
        db.session.add_all([Answer(application_id=application.id, question_id=pick.id, value=["Spanish", "English"]),
                            Answer(application_id=application.id, question_id=why.id, value="Rents doubled.")])
        translations.save(pick, "es", {"label": "Idioma principal", option_field("Spanish"): "Español"})
        translations.save(program.current_rubric.criteria[0], "es", {"label": "Alcance", "anchor:2": "Dos"})
    translations.save(w.program, "es", {"title": "Salud Comunitaria 2026"})
    db.session.commit()
    return blind_application


class TestPseudoLocaleReviewersAndAdvisors:
    @pytest.fixture
    def app_config(self, pseudo_catalogs):
        return {"BABEL_TRANSLATION_DIRECTORIES": str(pseudo_catalogs)}

    def test_every_reviewer_and_advisor_page_is_marked_for_translation(self, app, world, login):
        blind_application = _reviewer_world(world)
        reviewer = login(world.users["reviewer"])
        a = world.application
        before = [(reviewer, url) for url in (
            "/dashboard", f"/reviews/{a.id}", "/programs/blind-2026/conflicts")]
        user_data = _user_data()
        found = _render_all(before, user_data)
        # Each answer's flash message shows on the next page.
        for url, data in ((f"/reviews/{a.id}/conflict", {"answer": "none"}),
                          ("/programs/blind-2026/conflicts", {"affiliations": ""}),
                          (f"/reviews/{blind_application.id}/conflict", {"answer": "none"})):
            assert reviewer.post(url, data=data, headers=SPANISH).status_code == 302, url
        advisor = login(world.users["community_advisor"])
        applicant = login(world.users["other_applicant"])  # the blind application's, previewing the reviewer's view
        after = [(reviewer, url) for url in (
            f"/reviews/{a.id}", f"/reviews/{blind_application.id}", f"/applications/{blind_application.id}",
            "/dashboard")] + [(advisor, url) for url in ("/dashboard", "/funders/riverside/advise")] + [
            (applicant, f"/applications/{blind_application.id}/reviewer-preview")]
        found.update(_render_all(after, _user_data()))
        assert not found, f"English shown without translation (wrap it in _() / {{% trans %}}): {found}"

    def test_a_refused_review_and_ranking_say_so_marked(self, app, world, login):
        _reviewer_world(world)
        reviewer = login(world.users["reviewer"])
        a = world.application
        refused = reviewer.post(f"/reviews/{a.id}/conflict", data={"answer": "conflict"}, headers=SPANISH)
        pages = {"conflict": refused}
        reviewer.post(f"/reviews/{a.id}/conflict", data={"answer": "none"}, headers=SPANISH)
        pages["review"] = reviewer.post(f"/reviews/{a.id}", data={"submit": "1"}, headers=SPANISH)
        advisor = login(world.users["community_advisor"])
        pages["advise"] = advisor.post("/funders/riverside/advise", data={"need_1_rank": ""}, headers=SPANISH)
        found = _english_left(pages.items(), _user_data(), ok=(422,))
        assert not found, f"English shown without translation: {found}"


def test_scripts_carry_no_english_of_their_own():
    """The applicant's scripts show only what the page gives them (data-msg-* attributes, worded
    by the server in the page's language): no sentence is written in a script."""
    from grantflow import ROOT

    found = {}
    for script in sorted((ROOT / "grantflow" / "static").glob("*.js")):
        code = re.sub(r"/\*.*?\*/", "", script.read_text(encoding="utf-8"), flags=re.S)
        literals = re.findall(r'"((?:[^"\\]|\\.)*)"', code)
        sentences = [s for s in literals if re.search(r"[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}", s)]
        if sentences:
            found[script.name] = sentences
    assert found == {}


# --- Spanish from the browser, or from a saved choice ----------------------------------------------

def _spanish_page(client, url):
    response = client.get(url, headers=SPANISH)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    assert '<html lang="es">' in page, url
    return page


def test_a_browser_asking_for_spanish_gets_the_applicant_pages_in_spanish(app, world, login):
    draft, _token = _applicant_world(world)
    anonymous = app.test_client()
    assert "Convocatorias de financiamiento abiertas" in _spanish_page(anonymous, "/")
    assert "Iniciar sesión" in _spanish_page(anonymous, "/login")
    program = _spanish_page(anonymous, f"/programs/{world.program.slug}")
    assert "Quién puede solicitar" in program and "Community Health 2026" in program
    applicant = login(world.users["applicant"])
    assert "Guardar borrador" in _spanish_page(applicant, f"/applications/{draft.id}/edit")
    status = _spanish_page(applicant, f"/applications/{world.application.id}")
    assert "Cronología" in status and "enviada" in status
    assert "Comentarios sobre su solicitud" in _spanish_page(applicant, f"/applications/{world.application.id}/feedback")
    assert "¿Cuánto le costó solicitar?" in _spanish_page(applicant, f"/applications/{world.application.id}/burden-survey")
    english = anonymous.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Log in" in english
    unsupported = anonymous.get("/login", headers={"Accept-Language": "tlh"}).get_data(as_text=True)
    assert '<html lang="en">' in unsupported


def test_form_messages_are_in_spanish(app):
    page = app.test_client().post("/register", data={}, headers=SPANISH).get_data(as_text=True)
    assert "Escriba su nombre." in page and "Corrija" in page


def test_a_saved_choice_wins_over_the_browser(app, world, login):
    applicant = login(world.users["applicant"])
    response = applicant.post("/language", data={"locale": "es", "next": "/account"},
                              headers={"Accept-Language": "en"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    db.session.expire_all()
    assert db.session.get(User, world.users["applicant"].id).locale == "es"
    page = applicant.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page and "Su cuenta" in page


def test_a_visitor_s_choice_is_kept_in_a_cookie(app):
    client = app.test_client()
    response = client.post("/language", data={"locale": "es", "next": "/login"})
    assert response.status_code == 302 and "locale=es" in response.headers["Set-Cookie"]
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page and "Iniciar sesión" in page


@pytest.mark.parametrize("data", [{"locale": "tlh"}, {"locale": ""}, {}, {"locale": "es", "next": "//evil.example"}])
def test_an_odd_choice_is_refused_or_kept_on_the_site(app, data):
    response = app.test_client().post("/language", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/") and not response.headers["Location"].startswith("//")


# --- dates, money and numbers ------------------------------------------------------------------------

def test_money_dates_and_numbers_follow_the_language(app):
    from flask_babel import force_locale

    from grantflow.core.i18n import format_number, format_when
    from grantflow.core.money import format_money
    from grantflow.core.timeutil import to_local

    when = to_local(dt.datetime(2026, 12, 1, 22, 5, tzinfo=dt.timezone.utc), "America/Los_Angeles")
    with app.test_request_context():
        assert format_money(4_000_050) == "$40,000.50" and format_money(-150) == "-$1.50"
        assert format_money(4_000_050, whole=True) == "$40,001"
        assert format_when(when) == "Dec 01, 2026 02:05 PM PST"
        assert format_when(when.date(), "date") == "Dec 01, 2026"
        assert format_number(1234.5) == "1,234.5" and format_number(3.66, 1) == "3.7"
        with force_locale("es"):
            assert format_money(4_000_050).replace("\xa0", " ") == "40.000,50 US$"
            assert format_money(4_000_050, whole=True).replace("\xa0", " ") == "40.001 US$"
            assert "dic" in format_when(when) and "14:05" in format_when(when)
            assert format_number(3.66, 1) == "3,7"


# --- an organization's language for its messages and letters ----------------------------------------

def test_the_profile_saves_the_organization_s_language(app, world, login):
    from grantflow.organizations.models import Organization

    applicant = login(world.users["applicant"])
    page = applicant.get("/organizations/eastside/profile").get_data(as_text=True)
    assert '<option selected value="en">English</option>' in page or 'value="en" selected' in page
    profile = {"name": "Eastside Tenants Union", "ein": "12-3456789", "tax_exempt": "yes"}
    assert applicant.post("/organizations/eastside/profile", data={**profile, "language": "es"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, world.cbo.id).language == "es"
    # A form that does not send it keeps it; an unknown language is refused at the field.
    assert applicant.post("/organizations/eastside/profile", data=profile).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, world.cbo.id).language == "es"
    refused = applicant.post("/organizations/eastside/profile", data={**profile, "language": "tlh"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organization, world.cbo.id).language == "es"


# --- account emails and reminders in the recipient's language ----------------------------------------

def _mail(to: str, subject_has: str = ""):
    from grantflow.core.mail import outbox

    found = [m for m in outbox() if m["To"] == to and subject_has in m["Subject"]]
    assert found, f"no message to {to}"
    return found[-1]


def test_account_emails_go_out_in_the_recipient_s_language(app, world, login):
    from grantflow.core import roles as R

    password = "a long enough passphrase"
    # Registering from a Spanish page: the confirmation is in Spanish (no saved choice yet).
    registered = app.test_client().post("/register", headers=SPANISH, data={
        "name": "Dana Rivera", "email": "dana@example.org", "organization_name": "Promotoras del Valle",
        "organization_kind": "cbo", "password": password, "confirm": password})
    assert registered.status_code == 200
    verify = _mail("dana@example.org")
    assert verify["Subject"] == "Confirme su dirección de correo electrónico para GrantFlow"
    assert "Hola, Dana Rivera:" in verify.get_content() and "http://localhost/verify/" in verify.get_content()

    # A saved choice wins over the browser the reset is asked from; an organization's language is
    # the next best guess (the applicant chose nothing, Eastside writes in Spanish).
    world.users["reviewer"].locale = "es"
    world.cbo.language = "es"
    db.session.commit()
    english = {"Accept-Language": "en-US,en;q=0.9"}
    for user in (world.users["reviewer"], world.users["applicant"]):
        assert app.test_client().post("/reset", data={"email": user.email}, headers=english).status_code == 302
        reset = _mail(user.email)
        assert reset["Subject"] == "Restablezca su contraseña de GrantFlow", user.email
        assert "Para elegir una contraseña nueva, abra este enlace en el plazo de una hora:" in reset.get_content()
    app.test_client().post("/register", headers=english, data={
        "name": "Rae", "email": world.users["reviewer"].email, "organization_name": "X",
        "organization_kind": "cbo", "password": password, "confirm": password})
    assert _mail(world.users["reviewer"].email, "GrantFlow")["Subject"] == \
        "Alguien intentó registrarse en GrantFlow con su correo electrónico"
    # Someone else's English stays English.
    assert app.test_client().post("/reset", data={"email": world.users["other_applicant"].email},
                                  headers=english).status_code == 302
    assert _mail(world.users["other_applicant"].email)["Subject"] == "Reset your GrantFlow password"

    # A funder that works in Spanish invites in Spanish, whatever the admin's browser says.
    world.funder.language = "es"
    db.session.commit()
    invited = login(world.users["funder_admin"]).post(
        "/funders/riverside/people", data={"email": "nueva@example.org", "role": R.REVIEWER}, headers=english)
    assert invited.status_code == 302
    invitation = _mail("nueva@example.org")
    assert invitation["Subject"] == "Le invitan a Riverside Health Foundation en GrantFlow"
    assert "Fran Admin le invitó a unirse a Riverside Health Foundation en GrantFlow como evaluador." \
        in invitation.get_content()


def test_reminders_go_out_in_the_recipient_s_language(app, world):
    from grantflow.core.db import utcnow
    from grantflow.feedback import checkins
    from grantflow.reviews import reminders
    from tests.feedback.builders import decide, release

    world.users["reviewer"].locale = "es"
    world.program.review_ends_at = utcnow() + dt.timedelta(days=1)
    world.cbo.language = "es"
    db.session.commit()
    assert reminders.send_reminders() == 1
    db.session.commit()
    reminder = _mail(world.users["reviewer"].email)
    assert reminder["Subject"] == (f"Recordatorio: su evaluación de la solicitud n.º {world.application.id} "
                                   "para Community Health 2026")
    assert "todavía no se ha enviado. Las evaluaciones vencen el" in reminder.get_content()

    # The applicant's progress report reminder, in its organization's language.
    decide(world.application, "award", 60_000_00)
    release(world.program)
    today = checkins.today_for(world.program)
    checkins.set_schedule(world.program, [today + dt.timedelta(days=3)])
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["remind-reports"]).exit_code == 0
    report = _mail(world.users["applicant"].email, "informe")
    assert report["Subject"].startswith("Recordatorio: su informe de avance para Community Health 2026 vence el ")
    assert "Si algo le dificulta informar en este momento, responda y cuéntenos." in report.get_content()


# --- the funder's own content in the applicant's language --------------------------------------------

def test_the_funder_gives_its_program_in_spanish_and_applicants_see_it_marked(app, world, login):
    from grantflow.core.translations import ContentTranslation
    from grantflow.programs.models import CustomQuestion

    q = CustomQuestion(program=world.program, key="why", label="Why now?", help_text="One paragraph.",
                       kind="short_text", options=[])
    db.session.add(q)
    draft_program = world.program
    draft = F.application(draft_program, world.other_cbo, status="draft")
    db.session.commit()
    officer = login(world.users["program_officer"])
    form = officer.get("/programs/health-2026/translations").get_data(as_text=True)
    assert "English: Community Health 2026" in form and "English: Why now?" in form
    boxes = {f"program-{world.program.id}-title": "Salud Comunitaria 2026", f"customquestion-{q.id}-label": "¿Por qué ahora?"}
    assert officer.post("/programs/health-2026/translations?locale=es", data=boxes).status_code == 302
    db.session.expire_all()
    saved = {(r.kind, r.field): r.text for r in db.session.execute(select(ContentTranslation)).scalars()}
    assert saved == {("program", "title"): "Salud Comunitaria 2026", ("question", "label"): "¿Por qué ahora?"}

    spanish = app.test_client().get("/programs/health-2026", headers=SPANISH).get_data(as_text=True)
    assert "<h1>Salud Comunitaria 2026</h1>" in spanish  # in the page's language: no mark
    assert '<div class="prose" lang="en"><p>Funding for community health.</p>' in spanish  # not translated: marked
    english = app.test_client().get("/programs/health-2026", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>Community Health 2026</h1>" in english and 'lang="en"><p>Funding' not in english
    edit = login(world.users["other_applicant"]).get(f"/applications/{draft.id}/edit", headers=SPANISH)
    page = edit.get_data(as_text=True)
    assert "¿Por qué ahora?" in page and "One paragraph." in page  # the help, not translated, in English
    # Emptying a box removes the translation: the English is shown again, marked.
    assert officer.post("/programs/health-2026/translations?locale=es",
                        data={**boxes, f"program-{world.program.id}-title": ""}).status_code == 302
    spanish = app.test_client().get("/programs/health-2026", headers=SPANISH).get_data(as_text=True)
    assert '<h1 lang="en">Community Health 2026</h1>' in spanish


def test_answers_keep_the_language_they_were_typed_in_and_reviewers_are_told(app, world, login):
    from grantflow.applications.models import Application

    draft = F.application(F.program(world.funder, slug="health-2027"), world.cbo, status="draft")
    db.session.commit()
    applicant = login(world.users["applicant"])
    saved = applicant.post(f"/applications/{draft.id}/edit", headers=SPANISH,
                           data={"action": "save", "title": "Promotoras de salud", "summary": "Visitas casa por casa."})
    assert saved.status_code in (200, 302)
    db.session.expire_all()
    assert db.session.get(Application, draft.id).language == "es"
    # The submitted application the reviewer reads was typed in Spanish too.
    world.application.language = "es"
    db.session.commit()
    reviewer = login(world.users["reviewer"])
    reviewer.post(f"/reviews/{world.application.id}/conflict", data={"answer": "none"})
    page = reviewer.get(f"/reviews/{world.application.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The applicant wrote these answers in Español." in page
    assert '<p class="prose" lang="es">We connect residents to care.</p>' in page


def test_error_pages_speak_the_page_s_language(app):
    """Found by hand: a 404 or a 413 said werkzeug's English ("The requested URL was not found on
    the server") under a Spanish footer."""
    client = app.test_client()
    page = html.unescape(client.get("/no-such-page", headers=SPANISH).get_data(as_text=True))
    assert "No encontrado" in page and "requested URL" not in page
    page = html.unescape(client.post("/login", data="x" * (app.config["MAX_CONTENT_LENGTH"] + 10),
                                     content_type="application/x-www-form-urlencoded",
                                     headers=SPANISH).get_data(as_text=True))
    assert "capacity limit" not in page and "Archivo demasiado grande" in page


def test_the_grant_period_reads_as_the_page_writes_dates(app, world):
    world.program.grant_start, world.program.grant_end = dt.date(2027, 4, 1), dt.date(2028, 3, 31)
    world.program.status = "published"
    db.session.commit()
    page = html.unescape(app.test_client().get("/programs/health-2026", headers=SPANISH).get_data(as_text=True))
    assert "2027-04-01" not in page and "abr 2027" in page
