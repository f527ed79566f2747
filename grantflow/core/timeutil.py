"""Times are stored in UTC and shown, or entered, in the program's own time zone."""
from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import lazy_gettext as _l

# Dates typed or imported stay within these years: room for any grant, and far from the ends of
# Python's calendar, where converting a time to UTC overflows (9999-12-31 23:59 in New York).
FIRST_YEAR, LAST_YEAR = 1900, 2200
YEAR_RANGE_MESSAGE = _l("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)


def year_in_range(value: dt.date) -> bool:
    """Whether a date or date-time lies within FIRST_YEAR–LAST_YEAR (its UTC time then exists too)."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_local(value: dt.datetime | None, tz: str) -> dt.datetime | None:
    return None if value is None else value.astimezone(zone(tz))


def from_local(naive: dt.datetime | None, tz: str) -> dt.datetime | None:
    """A date-time typed in the program's zone, as an aware UTC datetime."""
    if naive is None:
        return None
    return naive.replace(tzinfo=zone(tz)).astimezone(dt.timezone.utc)


@cache
def timezone_choices() -> tuple[str, ...]:
    """The zones a program may use (read once: listing them scans the time zone database)."""
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")))
