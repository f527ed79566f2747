"""Used only while `grantflow.core.pdf.render_pdf` (issue 7) is missing: same signature, no
network or file access (every URL is refused), metadata and a tagged PDF/UA document."""
from __future__ import annotations

from typing import Mapping
from pathlib import Path

_FONTS = None


def render_pdf(html: str, *, title: str, author: str, subject: str = "", lang: str = "en",
               variant: str | None = "pdf/ua-1", base_url: str | None = None,
               allowed_files: Mapping[str, Path] | None = None) -> bytes:
    global _FONTS
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _FONTS is None:
        _FONTS = FontConfiguration()

    def refuse(url, *args, **kwargs):
        raise ValueError(f"external resource refused: {url}")

    doc = HTML(string=html, base_url=base_url or "about:blank", url_fetcher=refuse).render(font_config=_FONTS)
    doc.metadata.title = title
    doc.metadata.authors = [author]
    doc.metadata.description = subject
    doc.metadata.lang = lang
    return doc.write_pdf(pdf_variant=variant, font_config=_FONTS)
