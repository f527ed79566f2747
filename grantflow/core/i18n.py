"""The interface's language (Flask-Babel) and formatting of dates, money and numbers for it.

English is the source language; every other language is a gettext catalog in `translations/<code>/
LC_MESSAGES/messages.po` (compiled to `.mo` by `make install`), so the languages offered are English
plus whatever catalogs are there. A request's language is, in order: the signed-in person's saved
choice (`User.locale`), the `locale` cookie a visitor's choice sets, the best of the browser's
Accept-Language among the offered languages, English. Times keep the program's own zone: only the
wording of a date follows the language.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError, dates, lists, numbers
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, refresh
from flask_login import current_user

from grantflow import ROOT

SOURCE_LOCALE = "en"
COOKIE = "locale"
COOKIE_DAYS = 365

# English keeps the exact wording it always had; another language uses Babel's pattern for the
# same skeleton (its own order of day, month and year, 24-hour clock where that is the custom).
_ENGLISH = {"datetime": "MMM dd, yyyy hh:mm a z", "date": "MMM dd, yyyy", "long_date": "MMMM dd, yyyy",
            "deadline": "MMMM d, yyyy 'at' h:mm a z", "day": "MMMM d, yyyy", "time": "h:mm a z"}
_SKELETONS = {"datetime": "yMMMd", "date": "yMMMd", "long_date": "yMMMMd", "deadline": "yMMMMd", "day": "yMMMMd"}
_WITH_TIME = ("datetime", "deadline", "time")


@cache
def _catalog_locales(directories: tuple[str, ...]) -> tuple[str, ...]:
    found = {SOURCE_LOCALE}
    for folder in directories:
        for mo in sorted(Path(folder).glob("*/LC_MESSAGES/messages.mo")):
            found.add(mo.parent.parent.name)
    return tuple(sorted(found, key=lambda code: (code != SOURCE_LOCALE, code)))


def locales() -> tuple[str, ...]:
    """The languages offered: English first, then every compiled catalog."""
    return _catalog_locales(tuple(current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")))


def language_name(code: str) -> str:
    """A language's name in itself ("Español"), as a selector lists it."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    """(code, name) of every offered language, for a select."""
    return [(code, language_name(code)) for code in locales()]


def supported(code: str | None) -> str | None:
    """``code`` when it is an offered language, else None."""
    return code if code in locales() else None


def select_locale() -> str:
    """The request's language: saved choice, cookie, Accept-Language, English."""
    if not has_request_context():
        return SOURCE_LOCALE
    saved = getattr(current_user, "locale", None) if current_user.is_authenticated else None
    return (supported(saved) or supported(request.cookies.get(COOKIE))
            or request.accept_languages.best_match(locales(), default=SOURCE_LOCALE))


def in_language(code: str | None):
    """A context in which text is worded in `code` (an organization's language, for its messages
    and letters), or in English when that is not an offered language."""
    return force_locale(supported(code) or SOURCE_LOCALE)


def current_locale() -> str:
    """The language being rendered in (a forced one inside `flask_babel.force_locale`)."""
    locale = get_locale()
    return str(locale) if locale is not None else SOURCE_LOCALE


def html_lang() -> str:
    """The BCP 47 tag for `lang` attributes ("es", "pt-BR")."""
    return current_locale().replace("_", "-")


def format_when(value: dt.datetime | dt.date | None, kind: str = "datetime") -> str:
    """A date ("date": Dec 01, 2026; "long_date": December 01, 2026; "day": December 1, 2026) or an
    aware date-time ("datetime": Dec 01, 2026 02:05 PM PST; "deadline": December 1, 2026 at 2:05 PM
    PST; "time": 2:05 PM PST; in its own zone) in the current language; "—" for nothing."""
    if value is None:
        return "—"
    locale = current_locale()
    if locale == SOURCE_LOCALE:
        if kind in _WITH_TIME:
            return dates.format_datetime(value, _ENGLISH[kind], tzinfo=value.tzinfo, locale=locale)
        return dates.format_date(value, _ENGLISH[kind], locale=locale)
    if kind not in _WITH_TIME:
        return dates.format_skeleton(_SKELETONS[kind], value, locale=locale)
    time = dates.format_time(value, "short", tzinfo=value.tzinfo, locale=locale)
    zone = dates.format_datetime(value, "z", tzinfo=value.tzinfo, locale=locale)
    if kind == "time":
        return f"{time} {zone}"
    day = dates.format_skeleton(_SKELETONS[kind], value, locale=locale)
    return Locale.parse(locale).datetime_formats["medium"].replace("{1}", day).replace("{0}", f"{time} {zone}")


def format_currency(cents: int, *, whole: bool = False) -> str:
    """Integer cents as US dollars in the current language ("$40,000.00", "40.000,00 US$"); whole
    dollars round half up, as they always have."""
    return _currency(current_locale(), int(cents), whole)


@lru_cache(maxsize=65_536)
def _currency(locale: str, cents: int, whole: bool) -> str:
    """Kept by amount: a Babel call costs about 30 µs, and scoring a 50,000-application program
    formats two amounts per application, few of them distinct (budgets, the same threshold)."""
    if whole:
        sign = -1 if cents < 0 else 1
        amount = Decimal(sign * ((abs(int(cents)) + 50) // 100))
        return numbers.format_currency(amount, "USD", locale=locale, currency_digits=False,
                                       format=_whole_pattern(locale))
    return numbers.format_currency(Decimal(int(cents)) / 100, "USD", locale=locale)


@cache
def _whole_pattern(locale: str) -> str:
    """The locale's currency pattern without its fraction digits."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return pattern.replace(".00", "")


def format_number(value, digits: int | None = None, *, exact: bool = False) -> str:
    """A number in the current language ("1,234.5", "1.234,5"); `digits`: exactly that many decimals;
    `exact`: every decimal it has (a setting typed as 0.0005 is not "0", as the default three give)."""
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=current_locale(), decimal_quantization=not exact)


def format_percent(share: float, digits: int = 0) -> str:
    """A 0–1 share as the current language writes a percentage ("35%", "35 %"; `digits` decimals:
    "35.4%"), rounded as Babel rounds the number written (half to even)."""
    locale = current_locale()
    return numbers.format_percent(share, locale=locale, format=_percent_pattern(locale, digits) if digits else None)


@cache
def _percent_pattern(locale: str, digits: int) -> str:
    """The locale's own percent pattern with that many decimals."""
    return Locale.parse(locale).percent_formats[None].pattern.replace("#,##0", "#,##0." + "0" * digits, 1)


def format_list(items) -> str:
    """Items joined as the current language joins a list ("Sam, Rae, and Lee", "Sam, Rae y Lee")."""
    return lists.format_list(list(items), locale=current_locale())


def init_app(app: Flask) -> None:
    if not app.config["BABEL_TRANSLATION_DIRECTORIES"]:
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    # One Babel per app: its domain caches the loaded catalogs, which differ between apps (tests).
    Babel(app, default_locale=SOURCE_LOCALE, locale_selector=select_locale)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them

    @app.before_request
    def choose_afresh():
        """Each request picks its own language, even when an outer app context (a test, a CLI
        command) outlives several requests: Flask-Babel keeps the choice in `g`."""
        refresh()

    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals.update(html_lang=html_lang, locales=locales, language_name=language_name,
                                 current_locale=current_locale)
