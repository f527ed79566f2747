"""Secret tokens that travel in URLs stay out of the logs.

A password-reset or invitation link is as good as a password while it lasts, and an access log is
read, shipped and kept by more people than the database. Every route with an argument named
`token` (or ending in `_token`) is found in the URL map, so a new one (an email verification
link) is covered without anyone remembering. The token is replaced wherever its route's URL shows
in a line: the request line, a `next=` that carries the link (plain or percent-encoded) and the
Referer that gunicorn logs (a page opened from the link sends it with every asset it loads).
"""
from __future__ import annotations

import logging
import re

from flask import Flask

# werkzeug's and gunicorn's request lines; Flask's "Exception on <path>" goes to the app's logger.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")
REDACTED = "[redacted]"
_SLASH = "(?:/|%2[fF])"
_TOKEN = r"[^/?#&\s\"'\\]+"


def _prefix(rule: str, argument: str) -> str:
    """The regex of `rule` up to `argument` (other arguments: any one segment)."""
    before = re.split(rf"<(?:[^<>:]+:)?{argument}>", rule, maxsplit=1)[0]
    return r"[^/\s\"']+".join(re.escape(part).replace("/", _SLASH) for part in re.split(r"<[^<>]+>", before))


class RedactTokens(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.prefixes: set[str] = set()
        self._regex: re.Pattern | None = None

    def learn(self, prefixes: set[str]) -> None:
        if prefixes - self.prefixes:
            self.prefixes |= prefixes
            self._regex = re.compile(f"(?P<prefix>{'|'.join(sorted(self.prefixes))}){_TOKEN}")

    def filter(self, record: logging.LogRecord) -> bool:
        if self._regex is not None:
            message = record.getMessage()
            redacted = self._regex.sub(rf"\g<prefix>{REDACTED}", message)
            if redacted != message:
                record.msg, record.args = redacted, ()
        return True


_FILTER = RedactTokens()


def init_app(app: Flask) -> None:
    """After every blueprint is registered: learns the token routes and installs the filter."""
    _FILTER.learn({_prefix(rule.rule, arg) for rule in app.url_map.iter_rules()
                   for arg in rule.arguments if arg == "token" or arg.endswith("_token")})
    for name in (*ACCESS_LOGGERS, app.logger.name):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
