"""A leak test that cannot be fooled, on SQLite and PostgreSQL.

An applicant with every kind of identifier (name variants, short forms, acronyms, look-alike
letters, domain, emails, EIN spacings, ZIP, street, people's first and last names, a phone
number, a project name the applicant added; a PDF carrying them in its text and metadata, a Word
document and a CSV) applies to a blind program. As its reviewer, the test crawls every URL it can
reach: from the dashboard following every link, plus every GET route of the URL map with every id
of the application. It extracts the text of every response (HTML as sent, PDFs' text, metadata
and XMP read by two libraries, headers) and looks for each identifier three ways: as typed,
folded by a normalization written here (NFKC, case, accents, separators), and folded by the
product's own. As a control, the same search over the program officer's crawl finds them.
"""
from __future__ import annotations

import functools
import html
import io
import itertools
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

import pymupdf
import pytest
from flask import url_for
from pypdf import PdfReader

from grantflow.blind.textmatch import folded
from grantflow.core.db import db

LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"'#]+)""")


def _candidates(b) -> dict[str, list]:
    a = b.application
    return {"app_id": [a.id], "application_id": [a.id], "att_id": [x.id for x in a.attachments],
            "attachment_id": [x.id for x in a.attachments], "assignment_id": [b.assignment.id],
            "program": [a.program.slug], "slug": [a.program.funder.slug, b.org.slug, b.network.slug],
            "org_slug": [b.org.slug], "program_slug": [a.program.slug],
            "term_id": [t.id for t in _terms(a)]}


def _terms(application):
    from grantflow.blind.lexicon import added_terms

    return added_terms(application.id)


def crawl(app, client, b) -> dict[str, object]:
    """url -> response, for every GET a client can reach (status < 400)."""
    seen: dict[str, object] = {}
    queue = ["/dashboard"]
    options = _candidates(b)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        args = sorted(rule.arguments)
        if any(arg not in options for arg in args):
            continue
        for values in itertools.product(*(options[arg] for arg in args)):
            with app.test_request_context():
                queue.append(url_for(rule.endpoint, **dict(zip(args, values))))
    while queue:
        url = queue.pop(0)
        path = urlsplit(url)
        if path.netloc not in ("", "localhost") or url in seen or "/logout" in url or "/static/" in url:
            continue
        r = client.get(path.path + (f"?{path.query}" if path.query else ""), follow_redirects=True)
        db.session.rollback()
        if r.status_code >= 400:
            continue
        seen[url] = r
        if r.mimetype == "text/html":
            for link in LINK.findall(r.get_data(as_text=True)):
                queue.append(urljoin(url, html.unescape(link)))
    return seen


def text_of(r) -> str:
    """Every text a reader can get from a response."""
    headers = "\n".join(f"{k}: {v}" for k, v in r.headers.items())
    data = r.get_data()
    if r.mimetype == "application/pdf":
        doc = pymupdf.open(stream=data, filetype="pdf")
        parts = [p.get_text() for p in doc] + [str(v) for v in doc.metadata.values() if v]
        parts.append(doc.get_xml_metadata() or "")
        reader = PdfReader(io.BytesIO(data))
        parts += [p.extract_text() or "" for p in reader.pages]
        parts += [str(v) for v in (reader.metadata or {}).values()]
        xmp = reader.xmp_metadata
        parts.append(xmp.stream.get_data().decode("utf-8", "replace") if xmp is not None else "")
        return "\n".join(parts + [headers])
    if r.mimetype.startswith("text/") or r.mimetype == "application/json":
        return html.unescape(r.get_data(as_text=True)) + "\n" + headers
    return data.decode("latin-1") + "\n" + headers


def _own_fold(text: str) -> str:
    """A normalization independent of the product's: NFKC, case, accents, separators."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


FOLDS = (("folded", _own_fold), ("skeleton", folded))


@functools.lru_cache(maxsize=4)
def _haystacks(text: str) -> tuple[str, ...]:
    """`text` as typed (casefolded) and by each fold: computed once per text, not once per
    identifier (folding a whole crawl's text takes seconds)."""
    return (text.casefold(), *(fold(text) for _, fold in FOLDS))


def found(identifier: str, text: str) -> list[str]:
    """How `identifier` shows in `text`: as typed, folded here, folded by the product."""
    ways = []
    typed, *hays = _haystacks(text)
    if identifier.casefold() in typed:
        ways.append("as typed")
    for (name, fold), hay in zip(FOLDS, hays):
        needle = fold(identifier)
        if re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", hay) or \
                re.search(rf"(?<!\w){re.escape(needle.replace(' ', ''))}(?!\w)", hay):
            ways.append(name)
    return ways


def test_a_reviewer_can_reach_no_identifier_anywhere(any_app, any_blind_app):
    b = any_blind_app
    pages = crawl(any_app, any_app.test_client(user=b.reviewer), b)
    urls = set(pages)
    a = b.application
    # The crawl reached the review, the status page, every redacted attachment and the declaration.
    assert f"/reviews/{a.id}" in urls and f"/applications/{a.id}" in urls
    downloads = [u for u in urls if "/attachments/" in u and pages[u].mimetype == "application/pdf"]
    assert len(downloads) == 3
    leaks = []
    for url, r in pages.items():
        text = text_of(r)
        if url.endswith("/conflicts"):
            # The declaration lists the applicants' names, tied to no application: nothing else.
            assert f"#{a.id}" not in text and a.title not in text
            continue
        for identifier in b.identifiers:
            ways = found(identifier, text)
            if ways:
                leaks.append(f"{url}: {identifier!r} ({', '.join(ways)})")
    assert leaks == []
    # The rest of the application is readable.
    review = text_of(pages[f"/reviews/{a.id}"])
    assert "opens a member-owned grocery" in review and "[Applicant]" in review
    pdf = next(text_of(pages[u]) for u in downloads if "attachment-1-" in pages[u].headers["Content-Disposition"])
    assert "The grocery will open six days a week and hire eight neighbors." in pdf


@pytest.mark.long
def test_the_officer_crawl_finds_them_so_the_search_works(any_app, any_blind_app):
    b = any_blind_app
    pages = crawl(any_app, any_app.test_client(user=b.officer), b)
    everything = "\n".join(text_of(r) for r in pages.values())
    missing = [i for i in b.identifiers if not found(i, everything)]
    assert missing == []
