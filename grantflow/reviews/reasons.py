"""Why a reviewer may not review an application: a code and its arguments, worded when read.

A conflict is found once, in whatever language the request that found it was in, and read by every
program officer of the funder in their own, so what is kept (`ConflictOfInterest.reason_code` and
`reason_args`, the audit log) is a code and the arguments of its sentence, and `str()` words it in
the current locale each time it is shown. People's own words stay as typed: a declared conflict's
reason, a hunch's note, an affiliation line, a membership's title; a membership's role is kept as
its code and named in the reader's language (`roles.LABELS`). A reason stored as text before
there were codes has no code and is shown as written. The audit log's `conflict.*` events hold the
reason as `Reason.to_json()` ({"code", "args"}, or {"text"}); events logged before codes hold the
sentence itself, a plain string.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from grantflow.core import roles as R

MEMBER_OF_APPLICANT = "member_of_applicant"  # args: role (a role code) or title (as typed)
MEMBER_OF_NETWORK = "member_of_network"  # a network the applicant belongs to; args as above
BLIND_DECLARED = "blind_declared"  # a blind reviewer named the applicant before reading
AFFILIATION = "affiliation"  # line: the blind reviewer's affiliation that names the applicant
DECLARED = "declared"  # reason: the reviewer's own words
RECOGNIZED = "recognized"  # note: the reviewer's own words, or ""
RECUSED = "recused"  # the reviewer recused themselves (not stored: the assignment says so)


@dataclass(frozen=True)
class Reason:
    """A reason worded by `str()` in the current locale; equal reasons have equal codes and arguments."""

    code: str | None
    args: dict = field(default_factory=dict)
    text: str = ""  # a reason stored before codes, shown as written

    def __str__(self) -> str:
        code, args = self.code, self.args
        if code == MEMBER_OF_APPLICANT:
            return _("%(role)s of the applicant organization", role=_role(args))
        if code == MEMBER_OF_NETWORK:
            return _("%(role)s of a network the applicant belongs to", role=_role(args))
        if code == BLIND_DECLARED:
            return _("Declared a conflict with this applicant before reading (blind review)")
        if code == AFFILIATION:
            return _("Affiliation “%(line)s” matches the applicant", line=args.get("line", ""))
        if code == DECLARED:
            return _("Declared a conflict: %(reason)s", reason=args.get("reason", ""))
        if code == RECOGNIZED:
            if args.get("note"):
                return _("The reviewer thinks they know who the applicant is: %(note)s", note=args["note"])
            return _("The reviewer thinks they know who the applicant is.")
        if code == RECUSED:
            return _("Recused from this application")
        return self.text

    def to_json(self) -> dict:
        """What the audit log keeps: {"code", "args"}, or {"text"} for a reason without a code."""
        return {"code": self.code, "args": dict(self.args)} if self.code else {"text": self.text}


def stored(code: str | None, args: dict | None, text: str | None) -> Reason:
    """A stored conflict's reason (its columns)."""
    return Reason(code, dict(args or {}), text or "")


def membership(code: str, role: str, title: str | None) -> Reason:
    """A conflict from the membership records: the title as typed when there is one, else the role."""
    return Reason(code, {"title": title} if title else {"role": role})


def _role(args: dict) -> str:
    if args.get("title"):
        return args["title"]
    role = args.get("role") or ""
    return str(R.LABELS.get(role, role.replace("_", " ")))
