"""Letters anyone can verify: a PAdES signature on each issued letter and agreement (pyHanko).

When the signing folder (setting LETTERS_SIGNING_FOLDER, or `signing/` in the instance folder)
holds the funder's key and certificate (`letters-key.pem`, `letters-cert.pem`), every issued letter
and every signed agreement is signed with them, so a bank or a partner can check with any PDF
reader that it was not altered since. Without them, letters are issued unsigned. `grantflow demo`
makes a self-signed certificate there (`make_self_signed`); a real funder puts its own.
The signature is an incremental update: the letter's own bytes are kept, tags and all.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
from functools import lru_cache
from pathlib import Path

from flask import current_app

KEY_FILE = "letters-key.pem"
CERT_FILE = "letters-cert.pem"
FIELD = "GrantFlow"


def signing_folder() -> Path:
    return Path(current_app.config["LETTERS_SIGNING_FOLDER"] or Path(current_app.instance_path) / "signing")


def enabled() -> bool:
    folder = signing_folder()
    return (folder / KEY_FILE).is_file() and (folder / CERT_FILE).is_file()


@lru_cache(maxsize=4)
def _signer(key: str, cert: str, stamp: float):
    """Loaded once per key file (and again when it changes)."""
    from pyhanko.sign import signers

    return signers.SimpleSigner.load(key, cert)


def sign(pdf: bytes, *, reason: str) -> bytes:
    """The PDF with a PAdES signature when signing is set up; unchanged otherwise."""
    if not enabled():
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    folder = signing_folder()
    key = folder / KEY_FILE
    signer = _signer(str(key), str(folder / CERT_FILE), key.stat().st_mtime)
    meta = signers.PdfSignatureMetadata(field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, reason=reason)
    return off_event_loop(lambda: signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta,
                                                   signer=signer).getvalue())


def off_event_loop(fn):
    """pyHanko's blocking calls run their own `asyncio.run`, which refuses to start inside a running
    event loop (an async server, or a thread that drives a browser): there, run in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


def make_self_signed(folder: Path, organization: str) -> None:
    """A self-signed signing key and certificate for `organization` (for the demo and tests)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from grantflow.core.storage import LocalStorage

    # ECDSA P-256: pyHanko loads the key for every signature, and an RSA key's load is checked at length
    # (0.36 s of a 0.96 s signature, measured; the same signature with P-256 took 0.37 s).
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, organization[:64]),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64])])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_cert_sign=True,
                                         crl_sign=True, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    # A local secret, never in the app's storage: written as the local storage writes (temporary
    # file, synced, renamed; readable by its owner only).
    local = LocalStorage(folder)
    local.put(KEY_FILE, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    local.put(CERT_FILE, cert.public_bytes(serialization.Encoding.PEM))
