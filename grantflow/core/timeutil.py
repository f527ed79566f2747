"""Times are stored in UTC and shown, or entered, in the program's own time zone."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


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


def timezone_choices() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
