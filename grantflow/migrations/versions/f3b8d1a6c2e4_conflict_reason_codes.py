"""conflict reason codes

A conflict's reason as a code and its arguments (grantflow/reviews/reasons.py), worded in the
reader's language, instead of a sentence in the language of whoever's request found it. Reasons
stored as the known English sentences (and the Spanish ones stored before reasons were kept in
English) become their codes again; any other text stays in `reason` and is shown as written. A
blind reviewer's declared conflict stored in Spanish had been recorded as an affiliation (it was
told apart by its English wording): it is a declared one again.

Revision ID: f3b8d1a6c2e4
Revises: e7a1c3f5b9d2
Create Date: 2026-12-02 01:00:00.000000

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8d1a6c2e4'
down_revision = 'e7a1c3f5b9d2'
branch_labels = None
depends_on = None

# The role labels (grantflow/core/roles.py) as they were worded, in English and in Spanish.
ROLE_LABELS = {
    "funder_admin": ("Funder admin", "Administrador del financiador"),
    "program_officer": ("Program officer", "Oficial de programa"),
    "reviewer": ("Reviewer", "Evaluador"),
    "community_advisor": ("Community advisor", "Asesor comunitario"),
    "applicant": ("Applicant", "Solicitante"),
}
ROLES = {label: code for code, labels in ROLE_LABELS.items() for label in labels}
BLIND_DECLARED = ("Declared a conflict with this applicant before reading (blind review)",
                  "Declaró un conflicto con esta organización solicitante antes de leer (evaluación anónima)")
MEMBERSHIP = (
    (re.compile(r"(?s)(?P<role>.+) of the applicant organization"), "member_of_applicant"),
    (re.compile(r"(?s)(?P<role>.+) of a network the applicant belongs to"), "member_of_network"),
    (re.compile(r"(?s)(?P<role>.+) de la organización solicitante"), "member_of_applicant"),
    (re.compile(r"(?s)(?P<role>.+) de una red a la que pertenece la organización solicitante"), "member_of_network"),
)
AFFILIATION = (re.compile(r"(?s)Affiliation “(?P<line>.*)” matches the applicant"),
               re.compile(r"(?s)La afiliación “(?P<line>.*)” coincide con la organización solicitante"))
RECOGNIZED = re.compile(r"(?s)The reviewer thinks they know who the applicant is(?:: (?P<note>.*)|\.)")

conflicts = sa.table("conflicts", sa.column("id", sa.Integer), sa.column("application_id", sa.Integer),
                     sa.column("reviewer_id", sa.Integer), sa.column("source", sa.String),
                     sa.column("reason", sa.Text), sa.column("reason_code", sa.String),
                     sa.column("reason_args", sa.JSON))


def code_of(source: str, text: str):
    """(source, code, args) of a stored sentence, or None when it is not one of the known ones."""
    text = (text or "").strip()
    if text in BLIND_DECLARED:
        return "declared", "blind_declared", {}
    if source == "records":
        for pattern, code in MEMBERSHIP:
            m = pattern.fullmatch(text)
            if m:
                role = m["role"]
                return source, code, {"role": ROLES[role]} if role in ROLES else {"title": role}
        return None
    if source == "affiliation":
        for pattern in AFFILIATION:
            m = pattern.fullmatch(text)
            if m:
                return source, "affiliation", {"line": m["line"]}
    if source == "recognized":
        m = RECOGNIZED.fullmatch(text)
        if m:
            return source, "recognized", {"note": m["note"] or ""}
    if source == "declared" and text:  # the reviewer's own words, stored as typed
        return source, "declared", {"reason": text}
    return None


def upgrade():
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('reason_args', sa.JSON(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(conflicts.c.id, conflicts.c.application_id, conflicts.c.reviewer_id,
                                  conflicts.c.source, conflicts.c.reason)).all()
    kept = {(a, r, source) for _id, a, r, source, _text in rows}
    for id_, app_id, reviewer_id, old_source, text in rows:
        found = code_of(old_source, text)
        if found is None:
            continue
        source, code, args = found
        if source != old_source and (app_id, reviewer_id, source) in kept:
            # A Spanish blind declaration once stored as an affiliation, declared again since: one row.
            bind.execute(conflicts.delete().where(conflicts.c.id == id_))
            continue
        kept.add((app_id, reviewer_id, source))
        bind.execute(conflicts.update().where(conflicts.c.id == id_).values(
            source=source, reason_code=code, reason_args=args, reason=""))


def _english(code: str, args: dict) -> str:
    role = args.get("title") or ROLE_LABELS.get(args.get("role"), (str(args.get("role", "")).replace("_", " "),))[0]
    return {
        "member_of_applicant": f"{role} of the applicant organization",
        "member_of_network": f"{role} of a network the applicant belongs to",
        "blind_declared": BLIND_DECLARED[0],
        "affiliation": f"Affiliation “{args.get('line', '')}” matches the applicant",
        "declared": args.get("reason", ""),
        "recognized": "The reviewer thinks they know who the applicant is"
                      + (f": {args['note']}" if args.get("note") else "."),
    }.get(code, "")


def downgrade():
    bind = op.get_bind()
    for id_, code, args in bind.execute(sa.select(conflicts.c.id, conflicts.c.reason_code, conflicts.c.reason_args)
                                        .where(conflicts.c.reason_code.is_not(None))).all():
        bind.execute(conflicts.update().where(conflicts.c.id == id_).values(reason=_english(code, args or {})))
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_column('reason_args')
        batch_op.drop_column('reason_code')
