"""Finding identifying terms in text however they are typed, and masking them.

Text and terms are compared in a folded form, one original character at a time so that a match
maps back to the exact characters to mask:

- Unicode NFKC (full-width and mathematical letters, ligatures), then case folding;
- accents dropped ("Hernández" matches "Hernandez");
- confusable letters of other scripts folded to the Latin letter they imitate (a Cyrillic "р" is a
  "p"), with ICU's UTS #39 skeleton. ASCII is left as it is: folding "0"/"O" or "rn"/"m" would
  make ordinary words match;
- format characters (zero-width spaces, soft hyphens) dropped; every run of whitespace and
  punctuation (no-break spaces, hyphens, dots, "@") becomes one space.

A term matches only as whole words: never inside another word. Between the words of a term the
separator is optional ("Co-op", "co op", "COOP"); in digits (an EIN, a ZIP, a phone number) and in
acronyms (a short word in capitals, "CLT") it is optional between every character ("95 9033657",
"P.C.L.T."). Email addresses and
phone numbers are masked wherever they appear, known or not: a reviewer needs none of them.
"""
from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import icu

_SPOOF = icu.SpoofChecker()

EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+\s*[@\uff20]\s*[^\s@<>()\[\]\"',;:]+\.[^\s@<>()\[\]\"',;:.]+")
PHONE = re.compile(r"(?<![\w+])(?:\+?1[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]?\d{4}(?!\w)")
CONTACT_MASK = "[contact]"


def _strip_marks(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


def _skeleton(s: str) -> str:
    return _SPOOF.getSkeleton(0, s)


# Skeleton -> the ASCII letters and digits that have it ("l": "1", "I", "l").
_LATIN: dict[str, list[str]] = {}
for _x in string.ascii_letters + string.digits:
    _LATIN.setdefault(_skeleton(_x), []).append(_x)


def _as_latin(ch: str) -> str | None:
    """The ASCII letter a character imitates (lower case), or None. ICU's skeleton folds "I" and
    "l" together; the character's own case tells which one it imitates."""
    for candidate in (ch, ch.casefold()):
        found = _LATIN.get(_skeleton(candidate))
        if found:
            letters = [x for x in found if x.isalpha()]
            same_case = [x for x in letters if x.isupper() == candidate.isupper()]
            return (same_case or letters or found)[0].lower()
    return None


@lru_cache(maxsize=65536)
def fold_char(c: str) -> str:
    """The folded form of one character: letters and digits, " " for a separator, "" for nothing."""
    if c.isascii():
        return c.lower() if c.isalnum() else " "
    if unicodedata.category(c) == "Cf":
        return ""
    s = _strip_marks(unicodedata.normalize("NFKC", c))
    if not s.isascii():
        s = "".join(ch if ch.isascii() else (_as_latin(ch) or ch.casefold()) for ch in s)
    return "".join(ch if ch.isalnum() else " " for ch in s.casefold())


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original it came from."""
    out: list[str] = []
    where: list[int] = []
    space = True  # no leading separator
    for i, c in enumerate(text):
        for ch in fold_char(c):
            if ch == " ":
                if space:
                    continue
                space = True
            else:
                space = False
            out.append(ch)
            where.append(i)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def folded(text: str) -> str:
    return fold(text)[0]


@dataclass(frozen=True)
class Term:
    """One identifying string: what it is (`kind` chooses the mask) and where it comes from."""

    text: str
    kind: str
    source: str
    spaced: bool = False  # optional separator between every character (acronyms)
    upper_only: bool = False  # an acronym that is also a word: masked only when typed in capitals

    @property
    def key(self) -> str:
        return folded(self.text)


def _pattern(term: Term) -> str:
    capitals = {folded(w) for w in re.split(r"\W+", term.text) if 2 <= len(w) <= 6 and w.isupper()}
    parts = []
    for word in term.key.split(" "):
        if term.spaced or word.isdigit() or word in capitals:
            parts.append(" ?".join(re.escape(ch) for ch in word))
        else:
            parts.append(re.escape(word))
    return " ?".join(parts)


MASKS = {"organization": "[Applicant]", "person": "[name]", "address": "[address]", "contact": CONTACT_MASK,
         "tax_id": "[EIN]", "applicant": "[hidden]"}


@dataclass(frozen=True)
class Match:
    start: int  # in the original text
    end: int
    term: Term | None  # None: an email address or a phone number found by its shape

    @property
    def mask(self) -> str:
        return MASKS[self.term.kind] if self.term is not None else CONTACT_MASK


class Matcher:
    """Finds and masks a set of terms (built once per lexicon, used for many texts)."""

    def __init__(self, terms: list[Term]):
        by_key: dict[str, Term] = {}
        for t in terms:
            if t.key and (t.key not in by_key or by_key[t.key].upper_only and not t.upper_only):
                by_key[t.key] = t
        self.terms = list(by_key.values())
        ordered = sorted(self.terms, key=lambda t: (-len(t.key), t.key))
        self._groups = {f"t{i}": t for i, t in enumerate(ordered)}
        alternation = "|".join(f"(?P<{g}>{_pattern(t)})" for g, t in self._groups.items())
        self._regex = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)") if alternation else None

    def matches(self, text: str) -> list[Match]:
        if not text:
            return []
        found = [Match(m.start(), m.end(), None) for rx in (EMAIL, PHONE) for m in rx.finditer(text)]
        if self._regex is not None:
            norm, where = fold(text)
            for m in self._regex.finditer(norm):
                term = self._groups[m.lastgroup]
                start, end = where[m.start()], where[m.end() - 1] + 1
                if term.upper_only and not text[start:end].isupper():
                    continue
                found.append(Match(start, end, term))
        return _merge(found)

    def mask(self, text):
        """`text` with every match replaced by its mask; None and "" pass through."""
        if not text:
            return text
        text = str(text)
        out, pos = [], 0
        for m in self.matches(text):
            out.append(text[pos:m.start])
            out.append(m.mask)
            pos = m.end
        out.append(text[pos:])
        return "".join(out)

    def found(self, text: str) -> list[str]:
        """The original strings that matched (for tests and the applicant's preview)."""
        return [text[m.start:m.end] for m in self.matches(text)]


def _merge(found: list[Match]) -> list[Match]:
    """Non-overlapping matches in order; of overlapping ones the longest wins."""
    out: list[Match] = []
    for m in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
        if out and m.start < out[-1].end:
            if m.end > out[-1].end:
                out[-1] = Match(out[-1].start, m.end, out[-1].term or m.term)
            continue
        out.append(m)
    return out
