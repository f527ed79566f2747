"""Letters anyone can verify: with the funder's certificate in the signing folder (the demo makes a
self-signed one), each issued letter and signed agreement carries a PAdES signature that pyHanko
validates against that certificate, and a one-byte change is detected."""
from __future__ import annotations

import asyncio
import contextvars
import io

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from grantflow.core import files
from grantflow.core.db import db
from grantflow.core.pdf import render_pdf
from grantflow.letters import agreements, pades, services
from tests import factories as F
from tests.letters import pdfcheck as C


def _status(pdf: bytes):
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(pades.signing_folder() / pades.CERT_FILE))])
    [signature] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return pades.off_event_loop(lambda: validate_pdf_signature(signature, context))


def test_unsigned_without_a_certificate(app, letters_world):
    letter, _ = services.issue(letters_world.award)
    db.session.commit()
    assert PdfFileReader(io.BytesIO(files.read(services.letter_key(letter)))).embedded_signatures == []


def test_issued_letter_and_agreement_are_signed_and_a_changed_byte_is_detected(app, letters_world):
    w = letters_world
    pades.make_self_signed(pades.signing_folder(), "Riverside Health Foundation")
    letter, _ = services.issue(w.award)
    db.session.commit()
    pdf = files.read(services.letter_key(letter))
    status = _status(pdf)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert "Dear Maria Lopez," in C.flat(pdf) and C.info(pdf)["tagged"]  # still the tagged letter

    changed = bytearray(pdf)
    offset = pdf.index(b"stream") + 20  # inside the first page's content, within the signed range
    changed[offset] ^= 0x01
    assert not _status(bytes(changed)).intact

    F.release(w.program)
    agreement = agreements.offer(w.award, actor_id=None)
    agreements.accept(agreement, w.users["applicant"], consent=True, name="Maria Lopez", title="Executive Director",
                      shown_sha256=agreement.sha256, ip="127.0.0.1")
    db.session.commit()
    signed = files.read(agreements.key_of(agreement.signed_stored_name))
    assert _status(signed).bottom_line


def test_a_letter_is_signed_from_inside_a_running_event_loop(app, letters_world):
    """pyHanko's blocking API starts an event loop of its own; a caller already inside one (an async
    server, a thread driving a browser) still gets a signed letter."""
    pades.make_self_signed(pades.signing_folder(), "Riverside Health Foundation")
    pdf = render_pdf("<p>Dear Maria Lopez,</p>", title="A letter", author="Riverside Health Foundation")

    async def inside_a_loop() -> bytes:
        return pades.sign(pdf, reason="Award letter issued")

    here = contextvars.copy_context()  # the app context, for a thread when this one already runs a loop
    signed = pades.off_event_loop(lambda: here.run(asyncio.run, inside_a_loop()))
    assert _status(signed).bottom_line and signed.startswith(pdf)


def _reason(pdf: bytes) -> str:
    [signature] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return str(signature.sig_object["/Reason"])


def test_the_signature_s_reason_is_in_the_letter_s_language_whoever_issues_it(app, letters_world):
    """The reason was the officer's language around the funder's name ('Carta de otorgamiento issued
    by …'): it is the letter's, in one language."""
    from grantflow.core.i18n import in_language

    w = letters_world
    pades.make_self_signed(pades.signing_folder(), "Riverside Health Foundation")
    w.cbo.language = "es"
    db.session.commit()
    letter, _ = services.issue(w.award)  # an officer reading English issues a Spanish letter
    assert _reason(files.read(services.letter_key(letter))) == \
        "Carta de otorgamiento emitida por Riverside Health Foundation"
    with in_language("es"):  # an officer reading Spanish issues an English one
        english, _ = services.issue(w.decline)
    assert _reason(files.read(services.letter_key(english))) == "Decline letter issued by Riverside Health Foundation"
