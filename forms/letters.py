"""Forms of the letters area: the funder's wording of a letter kind, and starting a batch."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import URLField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError

from forms.base import BaseForm
from grantflow.letters.wording import WordingError, check_wording

VARIANT_CHOICES = [
    ("pdf/ua-1", _l("Accessible: tagged PDF/UA-1 (recommended)")),
    ("pdf/a-3b", _l("Archival: PDF/A-3b, also tagged")),
]
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = {"PNG": ".png", "JPEG": ".jpg"}


def sniff_logo(data: bytes) -> str:
    """Returns the file extension of a PNG or JPEG logo, judged by its content, or raises ValueError."""
    if not data:
        raise ValueError(_("The logo file is empty."))
    if len(data) > LOGO_MAX_BYTES:
        raise ValueError(_("The logo is %(size)s MB; at most 2 MB, please.", size=format(len(data) / 1024 / 1024, ".1f")))
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise ValueError(_("The logo must be a PNG or JPEG image (this file is neither, whatever its name)."))
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            fmt = image.format
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValueError(_("The logo image is damaged or incomplete; please export it again.")) from None
    if fmt not in LOGO_FORMATS:
        raise ValueError(_("The logo must be a PNG or JPEG image."))
    if width * height > 25_000_000:
        raise ValueError(_("The logo image is too large (over 25 megapixels)."))
    return LOGO_FORMATS[fmt]


class ImageUpload:
    """Validates an uploaded PNG/JPEG by content; keeps its bytes and extension on the form."""

    def __init__(self, attr: str):
        self.attr = attr

    def __call__(self, form, field) -> None:
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        data = upload.read()
        try:
            ext = sniff_logo(data)
        except ValueError as exc:
            raise ValidationError(str(exc).replace("logo", "image")) from None
        setattr(form, self.attr, (data, ext))


class LetterheadForm(BaseForm):
    name = StringField(_l("Name at the top of every letter"), validators=[Length(max=200)],
                       description=_l("Leave blank to use your organization's name."))
    address = TextAreaField(_l("Address"), validators=[Length(max=500)], render_kw={"rows": 3},
                            description=_l("As it should print, one line per line."))
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40),
                                             Regexp(r"^[0-9+().\- x]+$", message=_l("Use digits, spaces and + ( ) - only, "
                                                                                "like (951) 555-0100."))])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=300),
                                              URL(message=_l("Enter a web address like https://example.org."))])
    logo = FileField(_l("Logo (PNG or JPEG, at most 2 MB)"), validators=[ImageUpload("logo_upload")])
    remove_logo = BooleanField(_l("Remove the current logo"))
    signatory_name = StringField(_l("Signed by (name)"), validators=[DataRequired(_l("Name the person who signs your letters.")),
                                                                Length(max=200)])
    signatory_title = StringField(_l("Signatory's title"), validators=[DataRequired(_l("Give the signatory's title, "
                                                                                "like President.")), Length(max=200)])
    signature = FileField(_l("Signature image (optional; PNG or JPEG)"), validators=[ImageUpload("signature_upload")])
    remove_signature = BooleanField(_l("Remove the current signature image"))
    save = SubmitField(_l("Save letterhead"))

    logo_upload: tuple[bytes, str] | None = None
    signature_upload: tuple[bytes, str] | None = None


class LetterTemplateForm(BaseForm):
    body = TextAreaField(
        _l("Letter wording"), validators=[DataRequired(_l("Write the letter's wording.")), Length(max=20_000)],
        render_kw={"rows": 16},
        description=_l("Plain text. Leave a blank line between paragraphs. Insert details with placeholders "
                    "such as {{ organization }} or {{ amount }} (listed beside this form)."))
    payment_schedule = TextAreaField(_l("Payment schedule"), validators=[Length(max=5_000)], render_kw={"rows": 3})
    reporting_requirements = TextAreaField(_l("Reporting requirements"), validators=[Length(max=5_000)],
                                           render_kw={"rows": 3})
    conditions = TextAreaField(_l("Conditions"), validators=[Length(max=5_000)], render_kw={"rows": 3})
    signatory_name = StringField(_l("Signed by, for this letter only (name)"), validators=[Length(max=200)],
                                 description=_l("Leave blank to use the signatory on your letterhead."))
    signatory_title = StringField(_l("That person's title"), validators=[Length(max=200)])
    include_feedback = BooleanField(_l("Include the review panel's feedback (averages per criterion and "
                                    "reviewers' comments to the applicant)"))
    pdf_variant = SelectField(_l("PDF format"), choices=VARIANT_CHOICES, default="pdf/ua-1")
    logo = FileField(_l("Logo (PNG or JPEG, at most 2 MB)"))
    remove_logo = BooleanField(_l("Remove the current logo"))
    save = SubmitField(_l("Save wording"))
    preview = SubmitField(_l("Preview PDF"))

    logo_ext: str | None = None
    logo_bytes: bytes | None = None

    def validate_body(self, field) -> None:
        try:
            check_wording(field.data or "")
        except WordingError as exc:
            raise ValidationError(str(exc)) from None

    def validate_logo(self, field) -> None:
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        data = upload.read()
        try:
            self.logo_ext = sniff_logo(data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        self.logo_bytes = data


class BatchForm(BaseForm):
    include_declines = BooleanField(_l("Also issue decline and waitlist letters"))
    reissue = BooleanField(_l("Re-issue letters already issued (the earlier ones are kept, marked superseded)"))
    submit = SubmitField(_l("Issue all letters"))
    reissue_outdated = SubmitField(_l("Re-issue the out-of-date letters"))


class IssueForm(BaseForm):
    reissue = BooleanField("Re-issue")
    submit = SubmitField(_l("Issue letter"))


class OfferAgreementForm(BaseForm):
    submit = SubmitField(_l("Send the grant agreement"))


class SignForm(BaseForm):
    """An electronic signature: consent first, then the typed name and title (intent to sign)."""

    consent = BooleanField(_l("I agree to sign electronically (see above)"))
    name = StringField(_l("Your full name (your signature)"), validators=[Length(max=200)])
    title = StringField(_l("Your title"), validators=[Length(max=200)])
    shown_sha256 = HiddenField()
    sign = SubmitField(_l("Sign the agreement"))


class DeclineAgreementForm(BaseForm):
    reason = TextAreaField(_l("Why you decline (optional; the funder reads it)"), validators=[Length(max=2000)],
                           render_kw={"rows": 3})
    decline = SubmitField(_l("Decline the agreement"))
