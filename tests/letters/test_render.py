"""A decision's letter read back from the PDF: text, metadata, tags, fonts, and a page that is not blank."""
from __future__ import annotations

from grantflow.core import files
from grantflow.core.db import db
from grantflow.letters import services
from tests.letters import pdfcheck as C


def test_award_letter_pdf_says_who_what_when(app, letters_world):
    w = letters_world
    letter, issued = services.issue(w.award, actor_id=w.users["program_officer"].id)
    db.session.commit()
    assert issued
    pdf = files.read(services.letter_key(letter))
    text = C.flat(pdf)
    for expected in ("Eastside Tenants Union", "$25,000.00", "January 1, 2027", "December 31, 2027",
                     "Community Health 2026", "Riverside Health Foundation", "Pat Officer (po@riverside.org)"):
        assert expected in text, expected
    # reading order: letterhead, greeting, amount, signature
    order = [text.index(s) for s in ("Riverside Health Foundation", "Dear Maria Lopez", "$25,000.00", "Sincerely")]
    assert order == sorted(order)
    meta = C.info(pdf)
    assert meta["title"] == "Award letter — Eastside Tenants Union — Community Health 2026"
    assert meta["author"] == "Riverside Health Foundation"
    assert "Grant award of $25,000.00" in meta["subject"]
    assert meta["lang"] == "en" and meta["tagged"]
    assert "H1" in C.struct_roles(pdf)
    assert all(C.fonts(pdf).values())
    assert C.page_count(pdf) == 1
    assert C.non_white_pixels(pdf) > 2000
    import hashlib
    assert letter.sha256 == hashlib.sha256(pdf).hexdigest() and letter.size == len(pdf)
