"""Each leak the issue found by hand, on an application of the demo's kind: a reviewer of a blind
program must read none of them on the review page, the status page or in the attachment."""
from __future__ import annotations

import html

import pymupdf
import pytest

from tests.blind.conftest import DIRECTOR, ORG


def pdf_text(data: bytes) -> str:
    """Every text of a PDF: its pages, its document metadata and its XMP."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    parts = [page.get_text() for page in doc]
    parts += [str(v) for v in (doc.metadata or {}).values() if v]
    parts.append(doc.get_xml_metadata() or "")
    return "\n".join(parts)


def reviewer_pages(b, client) -> dict[str, str]:
    app_id = b.application.id
    att = b.application.attachments[0]
    pages = {}
    for url in (f"/reviews/{app_id}", f"/applications/{app_id}"):
        r = client.get(url)
        assert r.status_code == 200, url
        pages[url] = html.unescape(r.get_data(as_text=True))
    r = client.get(f"/applications/{app_id}/attachments/{att.id}")
    assert r.status_code == 200
    pages["attachment"] = pdf_text(r.get_data()) + "\n" + r.headers.get("Content-Disposition", "")
    return pages


@pytest.mark.parametrize("leak", ["Food Co-op", "MVFC", "Moreno  Valley Food Cooperative",
                                  "Moreno\u00a0Valley Food Cooperative", "\uff2doreno Valley",
                                  "mvfc.example.org", "mvfc-coop.org", "79 9033657", "92540", "22 D Street",
                                  "22 D St", "Priya", "Linh"])
def test_the_issue_leaks_are_masked_on_the_review_pages(blind_app, login, leak):
    pages = reviewer_pages(blind_app, login(blind_app.reviewer))
    found = [url for url, text in pages.items() if url != "attachment" and leak.casefold() in text.casefold()]
    assert found == []


def test_the_attachment_carries_neither_the_name_nor_the_metadata(blind_app, login):
    text = reviewer_pages(blind_app, login(blind_app.reviewer))["attachment"].casefold()
    for leak in (ORG, DIRECTOR, "Priya", "MVFC", "Co-op", "mvfc-coop.org", "22 D Street", "9033657"):
        assert leak.casefold() not in text, leak


def test_the_organization_contact_person_is_masked(blind_app, login):
    """The person letters are addressed to (the organization's contact) is someone linked to the
    applicant: masked like its staff, with or without the accent, in the text and the attachment."""
    from grantflow.core.db import db

    b = blind_app
    b.org.contact_name = "Luis García"
    b.application.summary = (b.application.summary or "") + " Ask Luis Garcia or García about the market."
    db.session.commit()
    pages = reviewer_pages(b, login(b.reviewer))
    for url in (f"/reviews/{b.application.id}", f"/applications/{b.application.id}"):
        assert "about the market" in pages[url], url  # the sentence is there, its names masked
    for url, text in pages.items():
        for leak in ("Luis Garcia", "Luis García", "García"):
            assert leak.casefold() not in text.casefold(), (url, leak)
