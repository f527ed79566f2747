"""Domain events: an area says what happened (``emit("application.submitted", ...)``), and the
areas that react (webhooks) subscribe, without the emitting area knowing them.

Subscribers run at once, in the emitter's transaction: what they record (an outbox row) commits
or rolls back with the cause, so a side effect leaves after the commit, exactly once.
"""
from __future__ import annotations

from collections.abc import Callable

Subscriber = Callable[..., list]
_SUBSCRIBERS: list[Subscriber] = []


def subscribe(fn: Subscriber) -> Subscriber:
    """Declares ``fn(event, funder_id, data, not_before)``, run for every event emitted; it returns
    the outbox messages it recorded."""
    if fn not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(fn)
    return fn


def emit(event: str, *, funder_id: int, data: dict, not_before=None) -> list:
    """``data`` is plain JSON (ids and a few facts), what a receiver may be told of the event;
    ``not_before`` holds what it causes back (a release's hold). Returns the outbox messages the
    subscribers recorded (so a cause that can be undone can cancel them)."""
    return [message for fn in _SUBSCRIBERS for message in fn(event, funder_id, data, not_before)]
