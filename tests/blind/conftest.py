"""An applicant of the demo's kind, with every kind of identifier the system knows, applying to a
blind program; its application is assigned to the world's reviewer."""
from __future__ import annotations

import io
from types import SimpleNamespace

import pymupdf
import pytest

from grantflow.applications.models import Answer, BudgetLine
from grantflow.blind import declarations
from grantflow.blind.models import BlindTerm
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.organizations.models import ACCEPTED, NETWORK, NetworkMembership
from grantflow.programs.models import CustomQuestion
from tests import factories as F

ORG = "Moreno Valley Food Cooperative"
SPONSOR = "Inland Empire Community Fiscal Partners"
NETWORK_NAME = "Moreno Valley Community Health Network"
DIRECTOR = "Priya Haddad"
STAFF = "Linh Nguyen"
BOARD = "Tomás Hernández"
PROJECT = "Sunrise Market Hall"  # a name only the applicant knows is theirs: they add it
PHONE = "(951) 555-0142"
EIN = "79-9033657"


def identity_pdf(text: str, *, author: str, title: str, extra_page: str = "") -> bytes:
    """A real PDF with `text` on its first page and identifying metadata and XMP."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 540, 720), text, fontsize=11)
    if extra_page:
        doc.new_page().insert_textbox(pymupdf.Rect(72, 72, 540, 720), extra_page, fontsize=11)
    doc.set_metadata({"author": author, "title": title, "subject": title, "keywords": author,
                      "creator": author, "producer": author})
    doc.set_xml_metadata(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>'
        '</rdf:Description></rdf:RDF></x:xmpmeta>')
    return doc.tobytes()


def identity_docx() -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.author = f"{DIRECTOR}, {ORG}"
    d.sections[0].header.paragraphs[0].text = f"{ORG} · 22 D Street · Moreno Valley, CA 92540"
    d.add_heading("Work plan of the MVFC", level=1)
    d.add_paragraph("Priya and Linh lead the Sunrise Market Hall opening; call (951) 555-0142.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Lead", "Tomás Hernández"
    table.cell(1, 0).text, table.cell(1, 1).text = "Web", "https://mvfc.example.org/plan"
    d.add_paragraph("The grocery will stock produce from four local farms.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def identity_csv() -> bytes:
    return ("line,amount,note\nStaff,30000,Priya Haddad director\nRent,20000,22 D St Moreno Valley 92540\n"
            "Sponsor fee,1500,Inland Empire Community Fiscal Partners EIN 33-0456789\n").encode()


PDF_BODY = ("Budget narrative of the Moreno Valley Food Co-op (MVFC). Our director Priya leads the "
            "grocery project with Linh. Write to priya@mvfc-coop.org or visit mvfc.example.org. "
            "EIN 79 9033657. We are at 22 D Street, Moreno Valley 92540.\n"
            "The grocery will open six days a week and hire eight neighbors. Garden Stand opens in May.")


@pytest.fixture
def blind_app(app, world):
    """`world` with a blind program and an applicant carrying every identifier; returns a namespace
    with the application, the reviewer, the officer and the identifiers a reviewer must not see."""
    return build(world)


@pytest.fixture
def any_blind_app(any_app):
    from tests.conftest import build_world

    return build(build_world())


@pytest.fixture
def any_login(any_app):
    """login(user) -> a test client of `any_app` whose session is that user's."""
    return lambda user: any_app.test_client(user=user)


def build(w) -> SimpleNamespace:
    from grantflow.applications import attachments
    from werkzeug.datastructures import FileStorage

    w.program.blind_review = True
    org = F.cbo(name=ORG, slug="moreno-valley-food-cooperative", ein=EIN, address_line1="22 D Street",
                city="Moreno Valley", state="CA", postal_code="92540", website="https://mvfc.example.org",
                fiscal_sponsor_name=SPONSOR, fiscal_sponsor_ein="33-0456789")
    network = F.organization(NETWORK, name=NETWORK_NAME, slug="mv-health-network", ein="31-3511027")
    db.session.add(NetworkMembership(network_id=network.id, member_id=org.id, status=ACCEPTED))
    director = F.user("priya@mvfc-coop.org", DIRECTOR, org=org, role=R.APPLICANT, title="executive director")
    F.user("linh.nguyen@mvfc-coop.org", STAFF, org=org, role=R.APPLICANT, title="staff")
    F.user("tomas@mvfc-coop.org", BOARD, org=org, role=R.APPLICANT, title="board member")
    a = F.application(w.program, org, created_by_id=director.id,
                      title="Moreno Valley Food Co-op grocery",
                      summary="MVFC (Moreno Valley Food Co-op) opens a member-owned grocery; see "
                              "https://mvfc.example.org or write andre@mvfc-coop.org.",
                      community_voice="Members of the Moreno  Valley Food Cooperative vote; the "
                                      "Moreno\u00a0Valley Food Cooperative board meets monthly at the Sunrise "
                                      "Market Hall. Call (951) 555-0142 or #MorenoValleyFoodCoop; Tomas "
                                      "Hernandez chairs it. Моrеnо Vаllеy Fооd Со-ор, M.V.F.C., "
                                      "Moreno\u200bValley Food Cooperative's members. Linh Nguyen runs the till; we belong to the "
                                      "Moreno Valley Community Health Network and our site is "
                                      "moreno-valley-food-cooperative.example.org.")
    a.outcomes = [{"metric": "Households reached by the \uff2doreno Valley Food Cooperative", "target": "400"}]
    a.budget_lines = [BudgetLine(category="Staff", description="Priya, director; Linh, organizer",
                                 amount_cents=30_000_00),
                      BudgetLine(category="Rent", description="22 D Street, ZIP 92540, EIN 95 9033657 / 79 9033657",
                                 amount_cents=20_000_00)]
    q = CustomQuestion(program=w.program, key="partners", label="Your partners", kind="long_text")
    n = CustomQuestion(program=w.program, key="reach", label="People reached", kind="short_text")
    db.session.add_all([q, n])
    db.session.flush()
    db.session.add(Answer(application_id=a.id, question_id=q.id,
                          value="We work with Inland Empire Community Fiscal Partners and the Moreno Valley "
                                "Community Health Network; call Priya at the co-op."))
    db.session.add(Answer(application_id=a.id, question_id=n.id, value="About 400 people near 22 D St."))
    db.session.add(BlindTerm(application_id=a.id, text=PROJECT, added_by_id=director.id))
    data = identity_pdf(PDF_BODY, author=f"{DIRECTOR}, {ORG}", title="MVFC budget narrative",
                        extra_page="Letter of support for the Sunrise Market Hall. Signed, Tomas Hernandez, "
                                   "board of the Моrеnо Vаllеy Fооd Со-ор (M.V.F.C.).")
    attachments.store(a, FileStorage(io.BytesIO(data), filename="MVFC_budget.pdf"), user_id=director.id)
    attachments.store(a, FileStorage(io.BytesIO(identity_docx()), filename="Moreno Valley Food Co-op plan.docx"),
                      user_id=director.id)
    attachments.store(a, FileStorage(io.BytesIO(identity_csv()), filename="mvfc-budget.csv"), user_id=director.id)
    asg = w.assignment
    asg.application = a
    db.session.flush()
    declarations.declare(w.program, w.users["reviewer"], conflict_ids=[], affiliations="")
    db.session.commit()
    return SimpleNamespace(
        world=w, application=a, org=org, network=network, reviewer=w.users["reviewer"],
        officer=w.users["program_officer"], director=director, assignment=asg, pdf=data,
        # What the issue found a curious reviewer could read.
        leaks=["Food Co-op", "MVFC", "Moreno  Valley Food Cooperative", "Moreno\u00a0Valley Food Cooperative",
               "\uff2doreno Valley", "mvfc.example.org", "mvfc-coop.org", "95 9033657", "79 9033657",
               "92540", "22 D Street", "22 D St", "Priya", "Linh", SPONSOR, NETWORK_NAME],
        # Every identifier the system knows or was told, in the forms they were written in.
        identifiers=[ORG, "Moreno Valley Food Co-op", "MorenoValleyFoodCoop", "MVFC", "M.V.F.C.",
                     "Моrеnо Vаllеy Fооd Со-ор", "mvfc.example.org", "mvfc-coop.org", "priya@mvfc-coop.org",
                     "andre@mvfc-coop.org", EIN, "79 9033657", "95 9033657", "92540", "22 D Street", "22 D St",
                     "Moreno Valley", DIRECTOR, "Priya", "Haddad", STAFF, "Linh", "Nguyen", BOARD, "Tomas Hernandez",
                     SPONSOR, "33-0456789", NETWORK_NAME, PROJECT, PHONE, "moreno-valley-food-cooperative"],
    )
