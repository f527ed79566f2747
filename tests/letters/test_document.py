"""Letters a funder signs with pride, read back from the PDF: the letterhead, the person addressed,
the reference, the signatory once (never "Sincerely, / Foundation / Foundation"), decline and
waitlist letters on one page with the demo's longest names, the award's signature kept with its
closing line; and no letter at all before the signatory is set."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import delete, select

from grantflow.core import files
from grantflow.core.db import db
from grantflow.demo import build as demo
from grantflow.letters import services
from grantflow.letters.models import IssuedLetter, Letterhead
from grantflow.letters.render import letterhead_key
from grantflow.reviews.models import SUBMITTED, CriterionScore, Review
from tests.letters import pdfcheck as C
from tests.letters.conftest import decide


def pages(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def issued_pdf(decision) -> bytes:
    letter, _ = services.issue(decision)
    db.session.commit()
    return files.read(services.letter_key(letter))


def test_letterhead_addressee_reference_and_one_signatory(app, letters_world, storage_config):
    w = letters_world
    signature = io.BytesIO()
    Image.new("RGB", (90, 30), (20, 90, 160)).save(signature, "PNG")
    files.write_durable(letterhead_key("sig.png"), signature.getvalue())
    head = db.session.execute(select(Letterhead).where(Letterhead.funder_id == w.funder.id)).scalar_one()
    head.signature_stored_name = "sig.png"
    db.session.commit()
    pdf = issued_pdf(w.award)
    text = C.flat(pdf)
    assert text.startswith("Riverside Health Foundation 1 River Road Riverside, CA 92501 "
                           "(951) 555-0100 · https://riverside.example")
    assert f"Reference: HEALTH-2026-{w.application.id:05d}" in text
    assert "Maria Lopez, Executive Director Eastside Tenants Union" in text
    assert "Dear Maria Lopez," in text
    assert "Sincerely, Dana Whitfield President and CEO Riverside Health Foundation" in text
    signature = text[text.index("Sincerely,"):]
    assert text.count("Dana Whitfield") == 1 and signature.count("Riverside Health Foundation") == 1
    import pikepdf
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages[0].get_images()) == 1  # the signature (no logo on this letterhead)

    # Without a contact person the letter is addressed to the organization.
    decline_text = C.flat(issued_pdf(w.decline))
    assert "Dear Northside Food Collective," in decline_text


def test_no_letter_before_the_signatory_is_set(app, letters_world, login):
    w = letters_world
    db.session.execute(delete(Letterhead))
    db.session.commit()
    with pytest.raises(services.LetterError) as err:
        services.issue(w.award)
    assert "the name of the person who signs the award letter" in str(err.value)
    db.session.rollback()
    client = login(w.users["program_officer"])
    page = client.get("/programs/health-2026/letters").get_data(as_text=True)
    assert "No letter can be issued yet" in page and "the name of the person who signs the award letter" in page
    response = client.post("/programs/health-2026/letters/batches", data={"submit": "Issue all letters"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/programs/health-2026/letters")
    response = client.post(f"/programs/health-2026/letters/{w.award.id}/issue", data={"submit": "Issue letter"})
    assert response.status_code == 302
    page = client.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True)
    assert "Before any letter is issued, set the name of the person who signs the award letter" in page
    result = app.test_cli_runner().invoke(args=["letters", "health-2026", "-o", str(app.instance_path)])
    assert result.exit_code != 0 and "Before any letter is issued" in result.output
    db.session.expire_all()
    assert db.session.execute(select(IssuedLetter)).first() is None

    # A name without a title is not enough either; the title is asked for by name.
    db.session.add(Letterhead(funder_id=w.funder.id, signatory_name="Dana Whitfield"))
    db.session.commit()
    page = client.get("/programs/health-2026/letters").get_data(as_text=True)
    assert "the title of Dana Whitfield, who signs the award letter" in page


def _longest(values) -> str:
    return max(values, key=len)


@pytest.fixture
def longest_names(letters_world):
    """The demo's longest organization, contact, title, project and program names, and a full
    panel's feedback with its longest comments."""
    w = letters_world
    w.other_cbo.name = _longest(f"{hood} {kind}" for hood in demo.NEIGHBORHOODS for kind, _, _ in demo.FOCUSES) + " 2"
    w.other_cbo.contact_name = f"{_longest(demo.FIRST)} {_longest(demo.LAST)}"
    w.other_cbo.contact_title = _longest(demo.CONTACT_TITLES)
    w.other_cbo.address_line1, w.other_cbo.city, w.other_cbo.state, w.other_cbo.postal_code = (
        "9999 University Street", "Desert Hot Springs", "CA", "92599")
    w.other_application.title = _longest(project for _, _, project in demo.FOCUSES)
    w.program.title = "Community Health Equity Fund 2025"
    w.funder.name = "Riverside Community Health Foundation"
    comments = sorted(demo.COMMENTS, key=len)[-3:]
    for reviewer, comment in zip(("reviewer", "other_reviewer", "community_advisor"), comments):
        review = Review(application_id=w.other_application.id, rubric_id=w.program.current_rubric.id,
                        status=SUBMITTED, comment_to_applicant=comment, reviewer_id=w.users[reviewer].id)
        review.scores = [CriterionScore(criterion_id=c.id, score=3) for c in w.program.current_rubric.criteria]
        db.session.add(review)
    db.session.commit()
    return w


@pytest.mark.parametrize("kind", ["decline", "waitlist"])
def test_decline_and_waitlist_letters_fit_one_page(app, longest_names, kind):
    w = longest_names
    w.decline.outcome = kind
    db.session.commit()
    pdf = issued_pdf(w.decline)
    text = C.flat(pdf)
    assert C.page_count(pdf) == 1, text
    assert w.other_cbo.contact_name in text and "Sincerely, Dana Whitfield President and CEO" in text
    if kind == "decline":
        assert sorted(demo.COMMENTS, key=len)[-1] in text  # the panel's feedback is in it


@pytest.mark.parametrize("extra", range(0, 16, 3))
def test_award_signature_stays_with_its_closing_line(app, longest_names, extra):
    """Conditions of growing length move the end of the letter across the page break: wherever it
    falls, the closing line and the whole signature are on one page."""
    from grantflow.letters.models import LetterTemplate
    from grantflow.letters.wording import default_wording

    w = longest_names
    db.session.add(LetterTemplate(program_id=w.program.id, kind="award", body=default_wording("award"),
                                  conditions="\n".join(f"{i + 1}. The grantee keeps records of the work, "
                                                       "shares them on request and tells us of any change."
                                                       for i in range(extra + 4))))
    db.session.commit()
    texts = pages(issued_pdf(w.award))
    [signed] = [t for t in texts if "Sincerely," in t]
    assert "Congratulations, and thank you for the work you do with your community." in signed
    assert "Dana Whitfield President and CEO Riverside Community Health Foundation" in signed
    assert signed.index("Congratulations") < signed.index("Sincerely,")


def test_letterhead_form_saves_images_and_answers_at_the_field(app, letters_world, login, storage_config):
    import io as _io

    w = letters_world
    admin = login(w.users["funder_admin"])
    png = _io.BytesIO()
    Image.new("RGB", (60, 20), (0, 90, 160)).save(png, "PNG")
    form = {"name": "Riverside Health Foundation", "address": "1 River Road\nRiverside, CA 92501",
            "phone": "call us!", "website": "riverside", "signatory_name": "", "signatory_title": "",
            "save": "Save letterhead"}
    response = admin.post("/organizations/riverside/letterhead", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("phone", "website", "signatory_name", "signatory_title"):
        assert f'id="{field}-error"' in page, field
    assert "1 River Road" in page  # nothing typed is lost
    response = admin.post("/organizations/riverside/letterhead", content_type="multipart/form-data", data={
        **form, "phone": "(951) 555-0100", "website": "https://riverside.example",
        "signatory_name": "Ines Moreau", "signatory_title": "Executive Director",
        "logo": (_io.BytesIO(png.getvalue()), "logo.png"), "signature": (_io.BytesIO(png.getvalue()), "sig.png")})
    assert response.status_code == 302
    db.session.expire_all()
    head = db.session.execute(select(Letterhead).where(Letterhead.funder_id == w.funder.id)).scalar_one()
    assert (head.signatory_name, head.phone) == ("Ines Moreau", "(951) 555-0100")
    assert files.read(letterhead_key(head.logo_stored_name)) == png.getvalue()
    assert files.read(letterhead_key(head.signature_stored_name)) == png.getvalue()
    import pikepdf
    with pikepdf.open(_io.BytesIO(issued_pdf(w.award))) as doc:
        assert len(doc.pages[0].get_images()) == 2  # the logo and the signature
    assert login(w.users["program_officer"]).get("/organizations/riverside/letterhead").status_code in (403, 404)
