"""The identity lexicon: what it holds for an applicant, and how its terms match text."""
from __future__ import annotations

import pytest

from grantflow.blind.lexicon import acronym, lexicon_for, name_forms, organization_terms, person_terms
from grantflow.blind.textmatch import Matcher, Term, fold
from tests.blind.conftest import BOARD, DIRECTOR, EIN, NETWORK_NAME, ORG, PROJECT, SPONSOR, STAFF


def test_short_forms_and_acronyms_of_names():
    assert acronym("Perris Community Land Trust") == "PCLT"
    assert acronym("Moreno Valley Food Cooperative, Inc.") == "MVFC"
    assert acronym("The Association of Tenants") is None  # two letters: too ambiguous
    forms = name_forms("Perris Community Land Trust")
    assert "Perris CLT" in forms
    forms = name_forms("Moreno Valley Food Cooperative, Inc.")
    assert {"Moreno Valley Food Cooperative", "Moreno Valley Food Co-op", "Moreno Valley Food Coop"} <= set(forms)
    assert "Eastside Tenants Assn" in name_forms("Eastside Tenants Association LLC")


@pytest.mark.parametrize("text", [
    "Perris Community Land Trust", "PERRIS COMMUNITY LAND TRUST", "Perris  Community Land Trust",
    "Perris\u00a0Community\u2009Land Trust", "\uff30erris Community Land Trust", "Реrris Community Land Trust",
    "Perris Community Land\u00adTrust", "Perris CLT", "Perris C.L.T.", "PCLT", "P.C.L.T.", "P C L T",
    "Perris-Community-Land-Trust", "PerrisCommunityLandTrust", "perris clt's",
])
def test_an_organization_matches_however_it_is_typed(text):
    m = Matcher(organization_terms("Perris Community Land Trust", "org"))
    assert m.mask(f"We at {text} build homes.").startswith("We at [Applicant]")


@pytest.mark.parametrize("text", ["Co-op", "co op", "COOP", "Coop"])
def test_co_op_in_every_spelling(text):
    m = Matcher(organization_terms("Moreno Valley Food Cooperative", "org"))
    assert m.mask(f"Moreno Valley Food {text} members") == "[Applicant] members"


def test_never_inside_another_word():
    m = Matcher(organization_terms("Perris Community Land Trust", "org") + person_terms("Ana Rivera", None, "p")
                + [Term("92540", "address", "zip")])
    text = "Banana growers in Santa Ana; PCLTX and XPCLT; 925401 and 192540; Riveras and Anais."
    assert m.mask(text) == "Banana growers in Santa [name]; PCLTX and XPCLT; 925401 and 192540; Riveras and Anais."


def test_first_names_alone_only_when_distinctive():
    terms = {t.text for t in person_terms("Grace Al Okafor", "grace@okafor.org", "p")}
    assert "Grace" not in terms  # a common word: "grace period" stays
    assert "Okafor" in terms and "Grace Al Okafor" in terms
    assert {t.text for t in person_terms("Al Brooks", None, "p")} == {"Al Brooks"}  # too short / a word
    assert "Priya" in {t.text for t in person_terms("Priya Haddad", None, "p")}


def test_digits_in_any_spacing_and_contacts_by_their_shape():
    m = Matcher([Term("799033657", "tax_id", "ein")])
    for ein in ("79-9033657", "79 9033657", "799033657", "79.903.3657", "７９-９０３３６５７"):
        assert m.mask(f"EIN {ein}.") == "EIN [EIN].", ein
    assert Matcher([]).mask("Write to a.b@c.org or call (951) 555-0142 / 951.555.0142.") == \
        "Write to [contact] or call [contact] / [contact]."


def test_the_fold_keeps_its_place_in_the_original():
    norm, where = fold("ＰＣＬＴ — ﬁne")
    assert norm == "pclt fine" and where[:4] == [0, 1, 2, 3] and where[-4:] == [7, 7, 8, 9]


def test_the_lexicon_of_an_application_holds_every_kind(blind_app):
    lexicon = lexicon_for(blind_app.application)
    texts = {t.text for t in lexicon.terms}
    expected = {ORG, "Moreno Valley Food Co-op", "MVFC", SPONSOR, "IECFP", NETWORK_NAME, "MVCHN", "799033657",
                "9033657", "330456789", "mvfc.example.org", "mvfc-coop.org", "priya@mvfc-coop.org", "22 D Street",
                "22 D St", "Moreno Valley", "92540", DIRECTOR, "Priya", "Haddad", STAFF, "Linh", "Nguyen", BOARD,
                "Tomás", "Hernández", PROJECT}
    assert expected <= texts, expected - texts
    assert EIN not in lexicon.mask(f"EIN {EIN}")
    groups = lexicon.groups()
    assert "Applying organization" in groups and "People" in groups and groups["Terms you added"] == [PROJECT]


def test_the_version_changes_with_the_lexicon(blind_app):
    from grantflow.blind import terms
    from grantflow.core.db import db

    a = blind_app.application
    before = lexicon_for(a).version
    a.status = "draft"
    terms.add_term(a, "Harbor House", user_id=blind_app.director.id)
    assert lexicon_for(a).version != before
    db.session.rollback()


def test_the_organization_applied_for_is_in_the_lexicon(blind_app):
    from tests import factories as F

    b = blind_app
    member = F.cbo(name="Harvest Table Collective", slug="harvest-table", city="Hemet", postal_code="92543",
                   ein="45-1234567", website="harvesttable.example.net")
    a = F.application(b.world.program, b.network, on_behalf_of=member,
                      summary="Harvest Table Collective (HTC) of Hemet, 92543, harvesttable.example.net; "
                              "EIN 45 1234567; for the Moreno Valley Community Health Network.")
    assert lexicon_for(a).mask(a.summary) == ("[Applicant] ([Applicant]) of [address], [address], [contact]; "
                                              "EIN [EIN]; for the [Applicant].")
