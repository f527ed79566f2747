"""grantflow.core.pdf: tagged PDFs with metadata, embedded fonts, and a fetcher that fetches
nothing a user could have typed."""
from __future__ import annotations

from html import escape

import pytest

from grantflow.core import pdf as P
from tests.letters import pdfcheck as C


def _doc(body: str, title: str = "Award letter") -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="stylesheet" href="letters/letter.css"></head><body>{body}</body></html>')


def test_tagged_pdf_with_metadata_text_and_embedded_fonts():
    html = _doc("<h1>Grant award</h1><p>Dear Friends of the River,</p>"
                "<p>We award $12,500.00 for 2026-01-01 to 2026-12-31.</p>"
                "<table><thead><tr><th scope=col>Date</th><th scope=col>Amount</th></tr></thead>"
                "<tbody><tr><td>2026-02-01</td><td>$6,250.00</td></tr></tbody></table>")
    out = P.render_pdf(html, title="Award letter — Friends of the River", author="Acme Health Fund",
                       subject="Grant award", lang="en")
    assert out.startswith(b"%PDF-1.7")
    meta = C.info(out)
    assert meta["title"] == "Award letter — Friends of the River"
    assert meta["author"] == "Acme Health Fund"
    assert meta["subject"] == "Grant award"
    assert meta["lang"] == "en"
    assert meta["tagged"]
    assert "pdfuaid:part" in meta["xmp"]  # PDF/UA-1 identification in the XMP metadata
    roles = C.struct_roles(out)
    assert roles.index("H1") < roles.index("P") < roles.index("Table")
    fonts = C.fonts(out)
    assert fonts and all(fonts.values()), fonts
    assert any("Noto-Sans" in name for name in fonts)
    text = C.flat(out)
    # reading order: heading, salutation, amount, table
    positions = [text.index(s) for s in ("Grant award", "Friends of the River", "$12,500.00", "$6,250.00")]
    assert positions == sorted(positions)
    assert C.page_count(out) == 1


def test_pdf_a3b_variant():
    out = P.render_pdf(_doc("<p>Archive copy</p>"), title="T", author="A", variant="pdf/a-3b")
    meta = C.info(out)
    assert 'pdfaid:part="3"' in meta["xmp"] or "<pdfaid:part>3</pdfaid:part>" in meta["xmp"]
    assert meta["tagged"] and meta["title"] == "T"
    assert "Archive copy" in C.text(out)
    with pytest.raises(ValueError):
        P.render_pdf(_doc("x"), title="T", author="A", variant="pdf/x-9")


def test_non_latin_names_render_with_embedded_glyphs():
    names = "مؤسسة النور للصحة المجتمعية · सामुदायिक स्वास्थ्य संगठन"
    out = P.render_pdf(_doc(f"<p>{escape(names)}</p>"), title="T", author="A")
    fonts = C.fonts(out)
    assert any("Arabic" in n for n in fonts), fonts
    assert any("Devanagari" in n for n in fonts), fonts
    assert all(fonts.values())
    text = C.text(out)
    assert "النور" in text
    assert "स" in text


def test_static_assets_load_and_everything_else_is_refused(tmp_path):
    logo = tmp_path / "logo.png"
    from PIL import Image
    Image.new("RGB", (40, 20), (200, 30, 30)).save(logo)
    fetcher = P.SafeURLFetcher(allowed_files={"asset:logo": logo})
    with C.listening_socket() as (port, connections):
        html = _doc(
            '<img alt="Logo" src="asset:logo">'
            '<img alt="x" src="file:///etc/passwd">'
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x">'
            f'<p style="background: url(http://127.0.0.1:{port}/bg)">styled</p>'
            '<img alt="d" src="data:image/png;base64,iVBORw0KGgo=">'
            '<img alt="up" src="../../../etc/hostname">'
            '<img alt="o" src="asset:other">')
        out = P.render_pdf(html, title="T", author="A", fetcher=fetcher)
        assert connections() == 0
    assert any(url.startswith("file://") and url.endswith("letters/letter.css") for url in fetcher.served)
    assert "asset:logo" in fetcher.served
    refused = " ".join(fetcher.refused)
    for needle in ("file:///etc/passwd", f"127.0.0.1:{port}/x", f"127.0.0.1:{port}/bg", "data:image",
                   "etc/hostname", "asset:other"):
        assert needle in refused
    assert "root:" not in C.text(out)


def test_one_font_configuration_per_process():
    assert P.font_config() is P.font_config()


def test_threads_take_turns_and_all_get_valid_pdfs():
    """A threaded web server rendering two previews at once: serialized, both PDFs whole."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda i: P.render_pdf(_doc(f"<p>Letter {i}</p>"), title=f"T{i}", author="A"),
                             range(6)))
    for i, out in enumerate(outs):
        assert f"Letter {i}" in C.text(out) and C.info(out)["title"] == f"T{i}"
