"""Money is integer cents everywhere; these turn it into text and back."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def cents_to_dollars(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def dollars_to_cents(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise ValueError(f"not an amount of money: {value!r}") from None
    return int((d * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def format_money(cents: int | None, *, whole: bool = False) -> str:
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    if whole:
        return f"{sign}${(cents + 50) // 100:,}"
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"
