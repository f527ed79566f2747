"""Real files of each allowed kind, and disguised ones, built in memory."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from PIL import Image
from pypdf import PdfWriter

CT_DOCX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
           '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
           '<Default Extension="xml" ContentType="application/xml"/>'
           '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
           'wordprocessingml.document.main+xml"/></Types>')
CT_XLSX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
           '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
           '<Default Extension="xml" ContentType="application/xml"/>'
           '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
           'spreadsheetml.sheet.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="{target}"/></Relationships>')


def pdf() -> bytes:
    w = PdfWriter()
    w.add_blank_page(width=612, height=792)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def image(fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), (11, 92, 75)).save(buf, format=fmt)
    return buf.getvalue()


def _zip(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


def docx() -> bytes:
    return _zip({"[Content_Types].xml": CT_DOCX, "_rels/.rels": RELS.format(target="word/document.xml"),
                 "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                                      'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Budget narrative</w:t>'
                                      '</w:r></w:p></w:body></w:document>'})


def xlsx() -> bytes:
    return _zip({"[Content_Types].xml": CT_XLSX, "_rels/.rels": RELS.format(target="xl/workbook.xml"),
                 "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                                    'spreadsheetml/2006/main"><sheets/></workbook>'})


def csv_bytes() -> bytes:
    return b"category,amount\nstaff,30000\nrepairs,20000\n"


def exe() -> bytes:
    """A real Windows program: the launcher pip ships (distlib's t64.exe)."""
    import pip._vendor.distlib as distlib

    folder = Path(distlib.__file__).parent
    return next(p for p in sorted(folder.glob("*.exe"))).read_bytes()


def html() -> bytes:
    return b"<!doctype html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"


def plain_zip() -> bytes:
    return _zip({"notes.txt": "hello"})
