"""Reviewers' copies of attachments, made with PyMuPDF (AGPL, as this project is).

- **PDF**: every match of the lexicon in a page's text is removed with a redaction annotation and
  `apply_redactions`, which deletes the characters underneath (a black box marks the place), not
  a box drawn over text that is still there. Pictures on pages that have text are blanked too (a
  logo or a letterhead names its owner). A page with no readable text, or mostly a picture (a
  scan), cannot be checked: it is kept and the copy needs the program officer's check. Then the
  document is scrubbed: metadata, XMP, annotations (comments) and form fields, links, attachments,
  JavaScript, hidden text and thumbnails go, and it is saved with its unused objects collected.
- **DOCX, XLSX, CSV**: their text (paragraphs, tables, headers and footers; cells of every sheet)
  is masked first and written into a new PDF; pictures, comments and properties never reach it.
- **PNG, JPEG**: a picture cannot be checked. Its pixels go on a PDF page (no EXIF), for the
  program officer to show or withhold.

Every copy is read back and checked against the lexicon; anything left means a check.
"""
from __future__ import annotations

import csv
import html
import io
import zipfile
from dataclasses import dataclass, field

import pymupdf

from grantflow.blind.textmatch import Matcher
from grantflow.scoring.explain import Explanation, explain, explain_n, listing

MIN_TEXT = 20  # characters below which a page counts as having no readable text
SCAN_SHARE = 0.5  # pictures covering more of a page than this make it a scan
MAX_ROWS = 2000
MAX_COLUMNS = 60
CSS = ("body{font-family:sans-serif;font-size:10pt} h1{font-size:13pt} h2{font-size:11pt} "
       "table{border-collapse:collapse} td,th{border:1px solid #888;padding:2px 4px;font-size:8pt} "
       "p.note{font-style:italic;color:#444}")


@dataclass
class Copy:
    pdf: bytes | None
    masked: int = 0
    # What the officer is told, worded when read (the copy is made once, in the queue, and read by
    # officers in their own languages).
    problems: list[Explanation] = field(default_factory=list)


def redact(mime: str, data: bytes, matcher: Matcher) -> Copy:
    from grantflow.applications import attachments as A

    makers = {A.PDF: redact_pdf, A.DOCX: docx_copy, A.XLSX: xlsx_copy, A.CSV: csv_copy,
              A.PNG: picture_copy, A.JPEG: picture_copy}
    try:
        made = makers[mime](data, matcher)
    except (RuntimeError, ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        return Copy(None, 0, [explain("The file could not be read (%(error)s), so no copy was made.",
                                      error=type(exc).__name__)])
    if made.pdf is not None:
        left = leftover(made.pdf, matcher)
        if left:
            made.problems.append(explain_n("%(num)d identifying string could not be removed: %(strings)s.",
                                           "%(num)d identifying strings could not be removed: %(strings)s.",
                                           len(left), strings=listing(sorted(set(left))[:5])))
    return made


# --- PDF ------------------------------------------------------------------------------------------

def _page_text(page) -> tuple[str, list]:
    """The page's text, built from its characters, and each character's box (None between lines)."""
    chars: list[str] = []
    boxes: list = []
    for block in page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_RAWDICT)["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                for ch in span["chars"]:
                    chars.append(ch["c"])
                    boxes.append(pymupdf.Rect(ch["bbox"]))
            chars.append("\n")
            boxes.append(None)
    return "".join(chars), boxes


def _picture_share(page) -> float:
    area = abs(page.rect) or 1
    covered = sum(abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in page.get_image_info())
    return min(1.0, covered / area)


def redact_pdf(data: bytes, matcher: Matcher) -> Copy:
    doc = pymupdf.open(stream=data, filetype="pdf")
    if doc.needs_pass:
        return Copy(None, 0, [explain("The PDF is password-protected, so it could not be checked and no copy was "
                                      "made.")])
    masked, problems = 0, []
    for page in doc:
        text, boxes = _page_text(page)
        for m in matcher.matches(text):
            masked += 1
            rect = pymupdf.Rect()
            for box in boxes[m.start:m.end]:
                if box is None:  # the match runs onto the next line: one box per line
                    page.add_redact_annot(rect, fill=(0, 0, 0))
                    rect = pymupdf.Rect()
                else:
                    rect |= box
            if not rect.is_empty:
                page.add_redact_annot(rect, fill=(0, 0, 0))
        readable = len("".join(text.split())) >= MIN_TEXT
        pictures = page.get_image_info()
        if not readable or (pictures and _picture_share(page) > SCAN_SHARE):
            problems.append(explain("Page %(page)s is a scan or a picture: names, logos or signatures on it "
                                    "could not be checked.", page=page.number + 1) if readable else
                            explain("Page %(page)s is a scan or a picture with no readable text: names, logos or "
                                    "signatures on it could not be checked.", page=page.number + 1))
        else:
            for info in pictures:
                page.add_redact_annot(pymupdf.Rect(info["bbox"]) & page.rect, fill=(0.85, 0.85, 0.85),
                                      text="[picture removed]", fontsize=7)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS)
        for widget in list(page.widgets()):
            page.delete_widget(widget)
        for annot in list(page.annots()):
            page.delete_annot(annot)
    doc.scrub(attached_files=True, clean_pages=True, embedded_files=True, hidden_text=True, javascript=True,
              metadata=True, redactions=False, remove_links=True, reset_fields=True, reset_responses=True,
              thumbnails=True, xml_metadata=True)
    return Copy(_save(doc), masked, problems)


def _save(doc) -> bytes:
    doc.set_metadata({})
    doc.del_xml_metadata()
    doc.set_toc([])
    # A viewer shows layer names (its Layers panel) and page labels ("MVFC-1") beside the pages:
    # layers are kept, numbered; labels go (pages are numbered as they come).
    for n, xref in enumerate(sorted(doc.get_ocgs()), 1):
        doc.xref_set_key(xref, "Name", pymupdf.get_pdf_str(f"Layer {n}"))
    doc.set_page_labels([])
    return doc.tobytes(garbage=4, deflate=True, clean=True, no_new_id=True)


def pdf_text(data: bytes) -> str:
    """Everything a reader of the PDF can get at as text: pages, metadata, XMP, outline, layer
    names and page labels."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    parts = [page.get_text() for page in doc]
    parts += [str(v) for v in (doc.metadata or {}).values() if v]
    parts.append(doc.get_xml_metadata() or "")
    parts += [entry[1] for entry in doc.get_toc()]
    parts += [ocg.get("name") or "" for ocg in doc.get_ocgs().values()]
    parts += [page.get_label() for page in doc]
    for page in doc:
        parts += [a.info.get("content", "") + " " + a.info.get("title", "") for a in page.annots()]
        parts += [link.get("uri", "") for link in page.get_links()]
    return "\n".join(parts)


def leftover(pdf: bytes, matcher: Matcher) -> list[str]:
    return matcher.found(pdf_text(pdf))


# --- other kinds: masked text written into a new PDF ------------------------------------------------

def _html_pdf(body: str) -> bytes:
    story = pymupdf.Story(html=f"<body>{body}</body>", user_css=CSS)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    mediabox = pymupdf.paper_rect("letter")
    where = mediabox + (48, 48, -48, -48)
    more = True
    while more:
        device = writer.begin_page(mediabox)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    return _save(pymupdf.open(stream=buf.getvalue(), filetype="pdf"))


class _Masking:
    """Masks and escapes text for the new PDF, counting the matches."""

    def __init__(self, matcher: Matcher):
        self.matcher = matcher
        self.count = 0

    def __call__(self, text) -> str:
        text = "" if text is None else str(text)
        self.count += len(self.matcher.matches(text))
        return html.escape(self.matcher.mask(text))


def _table(rows, esc: _Masking) -> str:
    out = []
    for n, row in enumerate(rows):
        if n >= MAX_ROWS:
            out.append(f"<tr><td>… {MAX_ROWS} rows shown; the rest are in the original.</td></tr>")
            break
        out.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in list(row)[:MAX_COLUMNS]) + "</tr>")
    return "<table>" + "".join(out) + "</table>"


def docx_copy(data: bytes, matcher: Matcher) -> Copy:
    import docx

    document = docx.Document(io.BytesIO(data))
    esc = _Masking(matcher)
    parts = ['<p class="note">A Word document, converted for blind review: its text and tables '
             '(no pictures, comments or formatting).</p>']
    for section in document.sections:
        for part in (section.header, section.footer):
            parts += [f"<p>{esc(p.text)}</p>" for p in part.paragraphs if p.text.strip()]
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = docx.text.paragraph.Paragraph(child, document)
            if para.text.strip():
                heading = (para.style.name or "").startswith("Heading") if para.style is not None else False
                parts.append(f"<h2>{esc(para.text)}</h2>" if heading else f"<p>{esc(para.text)}</p>")
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            parts.append(_table(([c.text for c in r.cells] for r in table.rows), esc))
    return Copy(_html_pdf("".join(parts)), esc.count)


def xlsx_copy(data: bytes, matcher: Matcher) -> Copy:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    esc = _Masking(matcher)
    parts = ['<p class="note">An Excel workbook, converted for blind review: the values of its cells '
             '(no formulas, charts or comments).</p>']
    for sheet in book.worksheets:
        parts.append(f"<h2>{esc(sheet.title)}</h2>")
        rows = (["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True))
        parts.append(_table(rows, esc))
    book.close()
    return Copy(_html_pdf("".join(parts)), esc.count)


def csv_copy(data: bytes, matcher: Matcher) -> Copy:
    esc = _Masking(matcher)
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig", "replace")))
    body = '<p class="note">A CSV file, converted for blind review.</p>' + _table(rows, esc)
    return Copy(_html_pdf(body), esc.count)


def picture_copy(data: bytes, matcher: Matcher) -> Copy:
    pixels = pymupdf.Pixmap(data)  # decoded: no EXIF, no comments
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_image(page.rect + (36, 36, -36, -36), pixmap=pixels)
    return Copy(_save(doc), 0, [explain("A picture cannot be checked for names, logos or signatures.")])
