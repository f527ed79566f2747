"""Imported CSV files decoded as UTF-8, naming each line that is not text.

A spreadsheet saved as "CSV" rather than "CSV UTF-8" is often Latin-1 or Windows-1252, and a
wrong file may be binary: each such line is reported by number (as the csv module counts them),
so the person can fix the file, instead of the import failing on the first bad byte.
"""
from __future__ import annotations

import codecs

HINT = "save the file as “CSV UTF-8”"


def decode_csv(data: bytes) -> tuple[str, dict[int, str]]:
    """The text of `data` (UTF-8, with or without a byte-order mark) and the problem of each line
    that is not UTF-8 or holds a NUL character, by line number. Undecodable bytes become U+FFFD,
    so the other lines can still be checked."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" not in text:
            return text, {}
    lines, problems = [], {}
    # bytes.splitlines breaks at \n, \r\n and \r, as the csv module reading a StringIO(newline="") does.
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems[number] = f"not UTF-8 (byte 0x{raw[exc.start]:02X}); {HINT}"
            line = raw.decode("utf-8", errors="replace")
        if "\x00" in line:
            problems.setdefault(number, "contains a NUL character (is this a binary file?)")
            line = line.replace("\x00", "")
        lines.append(line)
    return "".join(lines), problems
