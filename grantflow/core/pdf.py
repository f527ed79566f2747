"""HTML to PDF with WeasyPrint: tagged (PDF/UA-1) by default, metadata set, and no fetch that
anything typed by a user could steer.

Every PDF of the product (award letters, the equity audit) goes through :func:`render_pdf`, so the
safety rules live in one place:

* WeasyPrint gets :class:`SafeURLFetcher`, which refuses ``http(s)``, ``ftp``, ``data:`` and any
  ``file:`` URL outside the app's static folder; the only other URLs it serves are the exact keys of
  ``allowed_files``, each a file or the bytes themselves (``{"asset:logo": b"\x89PNG…"}`` for a
  funder's uploaded logo, read from the app's storage).
* One ``FontConfiguration`` per process (a new one per call leaks and is slower; sharing one
  across threads corrupts GLib's heap — render in separate processes).
"""
from __future__ import annotations

import logging
import mimetypes
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FunctionType
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)
T = TypeVar("T")
# WeasyPrint reports every rendering step at INFO; a batch of letters does not need 7 lines each.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
VARIANTS = ("pdf/ua-1", "pdf/a-3b")

_font_config: tuple[int, FontConfiguration] | None = None
# A threaded web server may render two previews at once; WeasyPrint with one shared font
# configuration is unsafe across threads, so renders in one process take turns (free when alone).
_render_lock = threading.Lock()


class RefusedFetch(ValueError):
    """A URL the fetcher will not load; WeasyPrint logs it and renders without the resource."""


def font_config() -> FontConfiguration:
    """The process's FontConfiguration, created on first use (and again after a fork)."""
    global _font_config
    if _font_config is None or _font_config[0] != os.getpid():
        _font_config = (os.getpid(), FontConfiguration())
    return _font_config[1]


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False


class SafeURLFetcher(URLFetcher):
    """Serves only files from the static folder and the exact URLs in ``allowed_files``.

    Nothing goes through urllib: the allowed files are read from disk (or given as bytes, served
    as they are), every other URL raises
    :class:`RefusedFetch` before any socket or file is opened. ``refused`` records what was asked
    for, so tests (and logs) can show that a payload was seen and not followed.
    """

    def __init__(self, static_dir: Path = STATIC_DIR,
                 allowed_files: Mapping[str, Path | bytes] | None = None) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.static_dir = Path(static_dir).resolve()
        self.allowed_files = {key: value if isinstance(value, bytes) else Path(value)
                              for key, value in (allowed_files or {}).items()}
        self.refused: list[str] = []
        self.served: list[str] = []

    def _path_for(self, url: str) -> Path | bytes | None:
        if url in self.allowed_files:
            return self.allowed_files[url]
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
            return None
        path = Path(unquote(parts.path))
        if path.is_file() and _inside(path, self.static_dir):
            return path.resolve()
        return None

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = self._path_for(url)
        if path is None:
            self.refused.append(url)
            log.warning("PDF rendering refused to fetch %r", url[:200])
            raise RefusedFetch(f"refused: {url[:200]}")
        self.served.append(url)
        if isinstance(path, bytes):  # WeasyPrint tells PNG from JPEG by their content
            return URLFetcherResponse(url, path, {"Content-Type": "application/octet-stream"})
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})


def render_pdf(html: str, *, title: str, author: str, subject: str = "", lang: str = "en",
               variant: str | None = "pdf/ua-1", base_url: str | None = None,
               allowed_files: Mapping[str, Path | bytes] | None = None,
               fetcher: SafeURLFetcher | None = None) -> bytes:
    """Renders ``html`` (already escaped by its template) to PDF bytes.

    ``base_url`` defaults to the static folder, so ``<link href="letters/letter.css">`` works;
    title/author/subject/lang override whatever the HTML says, since PDF/UA needs them all.
    ``fetcher`` lets a caller inspect what was refused (tests); normally leave it out.
    """
    if variant is not None and variant not in VARIANTS:
        raise ValueError(f"unknown PDF variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    fetcher = fetcher or SafeURLFetcher(allowed_files=allowed_files)
    if base_url is None:
        base_url = STATIC_DIR.as_uri() + "/"

    def render() -> bytes:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            font_config=font_config(), pdf_tags=True, pdf_variant=variant)
        meta = document.metadata
        meta.title = title
        meta.authors = [author] if author else []
        meta.description = subject or None
        meta.lang = lang
        meta.generator = "GrantFlow"
        return document.write_pdf(pdf_variant=variant, pdf_tags=True)

    with _render_lock:
        return with_stack_headroom(render)


def _call(fn: Callable[[], T]) -> T:
    return fn()


# CPython 3.11 and 3.12 keep a thread's Python frames in 16 KiB chunks and give a chunk back to the
# system as soon as the stack drops below it. WeasyPrint's layout recurses up and down all the
# time, so when a chunk boundary falls inside that range each crossing costs an mmap, a munmap and
# fresh pages: hundreds per letter, up to 10% of a render. Where the boundary falls depends only on
# how deep the caller's stack is (a queue worker is deeper than a plain loop). See CPython issue
# gh-142183, fixed in 3.13 and later by keeping one spare chunk. A frame declared with a large
# evaluation stack gets a chunk of its own (128 KiB; its pages are touched only as used), and the
# render's frames then fit above it in that one chunk, however deep the caller is.
_HEADROOM_SLOTS = 7_200  # 8 * (7,200 + 1,000 overhead) bytes is just over 64 KiB: a 128 KiB chunk
_call_with_headroom = FunctionType(_call.__code__.replace(co_stacksize=_HEADROOM_SLOTS), globals())


def with_stack_headroom(fn: Callable[[], T]) -> T:
    """Calls ``fn()`` with about 70 KiB of Python stack above it in a single chunk."""
    return _call_with_headroom(fn)
