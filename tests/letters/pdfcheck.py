"""Reading PDFs back for tests: text, metadata, tags, embedded fonts, a rendered page."""
from __future__ import annotations

import io
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pikepdf
from pypdf import PdfReader


def text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(pdf: bytes) -> str:
    """Text with all whitespace collapsed (line breaks fall anywhere in a paragraph)."""
    return " ".join(text(pdf).split())


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def info(pdf: bytes) -> dict:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root
        docinfo = doc.docinfo
        return {
            "title": str(docinfo.get("/Title", "")),
            "author": str(docinfo.get("/Author", "")),
            "subject": str(docinfo.get("/Subject", "")),
            "lang": str(root.get("/Lang", "")),
            "tagged": "/StructTreeRoot" in root and bool(root.get("/MarkInfo", {}).get("/Marked", False)),
            "xmp": bytes(root.Metadata.read_bytes()).decode("utf-8", "replace") if "/Metadata" in root else "",
            "version": doc.pdf_version,
        }


def fonts(pdf: bytes) -> dict[str, bool]:
    """Every font used on any page -> whether its program is embedded."""
    out: dict[str, bool] = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            resources = page.obj.get("/Resources", {})
            for _, font in resources.get("/Font", {}).items():
                name = str(font.get("/BaseFont", "?"))
                descriptor_holder = font
                if font.get("/Subtype") == "/Type0":
                    descriptor_holder = font.DescendantFonts[0]
                descriptor = descriptor_holder.get("/FontDescriptor", {})
                out[name] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return out


def struct_roles(pdf: bytes) -> list[str]:
    """The structure element types in document order (P, H1, Table, ...)."""
    roles: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        def walk(node):
            if isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)
            elif isinstance(node, pikepdf.Dictionary):
                if "/S" in node:
                    roles.append(str(node.S).lstrip("/"))
                if "/K" in node:
                    walk(node.K)
        walk(doc.Root.StructTreeRoot.get("/K", pikepdf.Array()))
    return roles


def non_white_pixels(pdf: bytes, dpi: int = 50) -> int:
    """Renders page 1 with pdftoppm (poppler) and counts pixels that are not white."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-gray",
                        str(src), str(Path(tmp) / "page")], check=True, timeout=60)
        png = next(Path(tmp).glob("page*.png"))
        from PIL import Image
        image = Image.open(png).convert("L")
        return sum(1 for value in image.getdata() if value < 200)


@contextmanager
def listening_socket():
    """A real TCP listener on a free port; yields (port, connections) where connections() counts
    the connections that arrived so far."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    accepted = []

    def connections() -> int:
        while True:
            try:
                conn, _ = server.accept()
            except BlockingIOError:
                return len(accepted)
            accepted.append(conn)
            conn.close()

    try:
        yield server.getsockname()[1], connections
    finally:
        server.close()
