"""An applicant of the demo's kind, with every kind of identifier the system knows, applying to a
blind program; its application is assigned to the world's reviewer."""
from __future__ import annotations

import io
from types import SimpleNamespace

import pymupdf
import pytest

from grantflow.applications.models import Answer, BudgetLine
from grantflow.blind import declarations
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.organizations.models import NETWORK
from grantflow.programs.models import CustomQuestion
from tests import factories as F

ORG = "Moreno Valley Food Cooperative"
SPONSOR = "Inland Empire Community Fiscal Partners"
NETWORK_NAME = "Moreno Valley Community Health Network"
DIRECTOR = "Priya Haddad"
STAFF = "Linh Nguyen"
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
    doc.set_xml_metadata(f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{author}</dc:creator></x:xmpmeta>')
    return doc.tobytes()


PDF_BODY = ("Budget narrative of the Moreno Valley Food Co-op (MVFC). Our director Priya leads the "
            "grocery project with Linh. Write to priya@mvfc-coop.org or visit mvfc.example.org. "
            "EIN 79 9033657. We are at 22 D Street, Moreno Valley 92540.\n"
            "The grocery will open six days a week and hire eight neighbors.")


@pytest.fixture
def blind_app(app, world, tmp_path):
    """`world` with a blind program and an applicant carrying every identifier; returns a namespace
    with the application, the reviewer, the officer and the identifiers a reviewer must not see."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return build(world)


@pytest.fixture
def any_blind_app(any_app, tmp_path):
    from tests.conftest import build_world

    any_app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return build(build_world())


def build(w) -> SimpleNamespace:
    from grantflow.applications import attachments
    from werkzeug.datastructures import FileStorage

    w.program.blind_review = True
    org = F.cbo(name=ORG, slug="moreno-valley-food-cooperative", ein=EIN, address_line1="22 D Street",
                city="Moreno Valley", state="CA", postal_code="92540", website="https://mvfc.example.org",
                fiscal_sponsor_name=SPONSOR, fiscal_sponsor_ein="33-0456789")
    network = F.organization(NETWORK, name=NETWORK_NAME, slug="mv-health-network", ein="31-3511027")
    network.members.append(org)
    director = F.user("priya@mvfc-coop.org", DIRECTOR, org=org, role=R.APPLICANT, title="executive director")
    F.user("linh.nguyen@mvfc-coop.org", STAFF, org=org, role=R.APPLICANT, title="staff")
    a = F.application(w.program, org, created_by_id=director.id,
                      title="Moreno Valley Food Co-op grocery",
                      summary="MVFC (Moreno Valley Food Co-op) opens a member-owned grocery; see "
                              "https://mvfc.example.org or write andre@mvfc-coop.org.",
                      community_voice="Members of the Moreno  Valley Food Cooperative vote; the "
                                      "Moreno\u00a0Valley Food Cooperative board meets monthly.")
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
    data = identity_pdf(PDF_BODY, author=f"{DIRECTOR}, {ORG}", title="MVFC budget narrative")
    attachments.store(a, FileStorage(io.BytesIO(data), filename="MVFC_budget.pdf"), user_id=director.id)
    asg = w.assignment
    asg.application = a
    db.session.flush()
    declarations.declare(w.program, w.users["reviewer"], conflict_ids=[], affiliations="")
    db.session.commit()
    return SimpleNamespace(
        world=w, application=a, org=org, network=network, reviewer=w.users["reviewer"],
        officer=w.users["program_officer"], director=director, assignment=asg, pdf=data,
        # What the issue found a curious reviewer could read.
        leaks=["Co-op", "MVFC", "Moreno  Valley Food Cooperative", "Moreno\u00a0Valley Food Cooperative",
               "\uff2doreno Valley", "mvfc.example.org", "mvfc-coop.org", "95 9033657", "79 9033657",
               "92540", "22 D Street", "22 D St", "Priya", "Linh", SPONSOR, NETWORK_NAME],
    )
