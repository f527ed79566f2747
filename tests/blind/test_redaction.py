"""Redacted copies: the matched text itself is gone, the rest stays readable, nothing else
identifying survives (metadata, XMP, links, annotations, pictures), and what cannot be checked is
flagged."""
from __future__ import annotations

import io
import unicodedata

import pymupdf
from PIL import Image
from pypdf import PdfReader

from grantflow.blind import redaction
from grantflow.blind.lexicon import organization_terms, person_terms, street_forms
from grantflow.blind.textmatch import Matcher, Term
from tests.blind.conftest import DIRECTOR, ORG, PDF_BODY, identity_csv, identity_docx, identity_pdf

MATCHER = Matcher(organization_terms(ORG, "org") + person_terms(DIRECTOR, "priya@mvfc-coop.org", "p")
                  + person_terms("Linh Nguyen", None, "p") + person_terms("Tomás Hernández", None, "p")
                  + [Term(f, "address", "a") for f in street_forms("22 D Street")] + [Term("92540", "address", "z"),
                     Term("799033657", "tax_id", "e"), Term("mvfc.example.org", "contact", "w"),
                     Term("Moreno Valley", "address", "c"), Term("Sunrise Market Hall", "applicant", "t")])


def _picture(size=(200, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_pdf_redaction_removes_the_text_and_keeps_the_rest_readable():
    original = identity_pdf(PDF_BODY, author=f"{DIRECTOR}, {ORG}", title="MVFC budget narrative")
    copy = redaction.redact_pdf(original, MATCHER)
    assert copy.problems == [] and copy.masked >= 8
    reader = PdfReader(io.BytesIO(copy.pdf))  # read back by a second library
    text = reader.pages[0].extract_text()
    for gone in ("Moreno", "MVFC", "Priya", "Linh", "priya@", "mvfc.example.org", "9033657", "22 D Street", "92540"):
        assert gone not in text, gone
    assert "The grocery will open six days a week and hire eight neighbors." in " ".join(text.split())
    assert "leads the" in text and "Budget narrative of the" in text
    # Removed, not covered: no page content stream still spells the name.
    doc = pymupdf.open(stream=copy.pdf, filetype="pdf")
    assert all(b"Priya" not in doc.xref_stream(x) for x in range(1, doc.xref_length()) if doc.xref_is_stream(x))
    assert not any(v for k, v in doc.metadata.items() if k != "format") and not doc.get_xml_metadata()
    assert not reader.metadata or not any(reader.metadata.values())


def test_links_annotations_and_pictures_go_scans_are_flagged():
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 540, 300), "A letter of support for our grocery, long enough to read. "
                                                         "Visit our site for the menu of the week.", fontsize=11)
    page.insert_image(pymupdf.Rect(72, 400, 172, 460), stream=_picture())  # a logo
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 72, 200, 90), "uri": "https://mvfc.example.org"})
    page.add_text_annot((300, 300), f"Comment by {DIRECTOR}")
    scan = doc.new_page()
    scan.insert_image(scan.rect, stream=_picture((800, 1000)))  # a scanned page: a picture, no text
    copy = redaction.redact_pdf(doc.tobytes(), MATCHER)
    out = pymupdf.open(stream=copy.pdf, filetype="pdf")
    assert out[0].get_links() == [] and list(out[0].annots()) == []
    assert "Priya" not in redaction.pdf_text(copy.pdf)
    assert out[0].get_image_info() == [] or all(i["width"] * i["height"] == 0 for i in out[0].get_image_info())
    assert len(out[1].get_image_info()) == 1  # the scan is kept for the officer to judge
    assert [str(p) for p in copy.problems] == ["Page 2 is a scan or a picture with no readable text: names, logos or signatures on "
                             "it could not be checked."]
    assert "long enough to read" in out[0].get_text()


def test_office_files_and_csv_become_masked_pdfs():
    for maker, kept in ((redaction.docx_copy, "The grocery will stock produce from four local farms."),
                        (redaction.csv_copy, "Sponsor fee")):
        data = identity_docx() if maker is redaction.docx_copy else identity_csv()
        copy = maker(data, MATCHER)
        text = unicodedata.normalize("NFKC", redaction.pdf_text(copy.pdf))
        assert kept in " ".join(text.split())
        for gone in ("Moreno Valley", "Priya", "Linh", "Tomás", "Hernández", "22 D St", "Sunrise Market Hall",
                     "555-0142", "mvfc.example.org"):
            assert gone not in text, (maker.__name__, gone)
        assert copy.masked >= 3 and copy.problems == []


def test_xlsx_cells_are_masked():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Budget"
    sheet.append(["Line", "Amount", "Who"])
    sheet.append(["Staff", 30000, "Priya Haddad"])
    sheet.append(["Rent", 20000, "22 D Street, Moreno Valley"])
    buf = io.BytesIO()
    book.save(buf)
    copy = redaction.xlsx_copy(buf.getvalue(), MATCHER)
    text = unicodedata.normalize("NFKC", redaction.pdf_text(copy.pdf))
    assert "Budget" in text and "30000" in text and "Staff" in text
    assert "Priya" not in text and "Moreno" not in text and copy.masked == 3


def test_a_picture_needs_the_officer_and_a_broken_file_makes_no_copy():
    from grantflow.applications import attachments

    picture = redaction.redact(attachments.PNG, _picture(), MATCHER)
    assert picture.pdf is not None and picture.problems
    # A photo's EXIF (its author, a caption) does not reach the copy: only its pixels do.
    exif = Image.Exif()
    exif[0x013B] = f"{DIRECTOR}, {ORG}"  # Artist
    exif[0x010E] = "Sunrise Market Hall opening"  # ImageDescription
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (10, 120, 40)).save(buf, format="JPEG", exif=exif)
    assert b"Haddad" in buf.getvalue()
    photo = redaction.redact(attachments.JPEG, buf.getvalue(), MATCHER)
    assert b"Haddad" not in photo.pdf and b"Sunrise" not in photo.pdf and "Haddad" not in redaction.pdf_text(photo.pdf)
    assert len(pymupdf.open(stream=photo.pdf, filetype="pdf")[0].get_image_info()) == 1
    broken = redaction.redact(attachments.PDF, b"%PDF-1.4 not really", MATCHER)
    assert broken.pdf is None and "could not be read" in str(broken.problems[0])


def test_what_survives_redaction_is_caught():
    from grantflow.applications import attachments

    original = identity_pdf("Priya wrote this page for her neighbors and friends.", author="", title="")
    made = redaction.redact(attachments.PDF, original, Matcher([Term("Priya", "person", "p")]))
    assert made.problems == [] and "Priya" not in redaction.pdf_text(made.pdf)
    assert redaction.leftover(original, Matcher([Term("Priya", "person", "p")])) == ["Priya"]


def test_layer_names_and_page_labels_do_not_survive():
    """Found by hand: a copy kept an optional-content layer named after the organization (shown in
    any viewer's Layers panel) and page labels "MorenoValleyFoodCoop-1…". Both are renamed; the
    layer itself and the page text stay."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "The grocery will open six days a week.")
    layer = doc.add_ocg(f"{ORG} logo layer", on=True)
    page.insert_text((72, 140), "Logo text on a layer.", oc=layer)
    doc.new_page().insert_text((72, 100), "Second page.")
    doc.set_page_labels([{"startpage": 0, "prefix": "MorenoValleyFoodCoop-", "style": "D", "firstpagenum": 1}])
    original = doc.tobytes()
    assert ORG in redaction.pdf_text(original) and "MorenoValleyFoodCoop" in redaction.pdf_text(original)
    copy = redaction.redact_pdf(original, MATCHER)
    back = pymupdf.open(stream=copy.pdf, filetype="pdf")
    assert [o["name"] for o in back.get_ocgs().values()] == ["Layer 1"]
    assert [p.get_label() for p in back] == ["", ""]
    raw = copy.pdf.decode("latin-1")
    assert "Moreno" not in raw and "MorenoValleyFoodCoop" not in redaction.pdf_text(copy.pdf)
    assert "The grocery will open six days a week." in back[0].get_text()
