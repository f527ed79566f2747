"""Working on tens of thousands of rows at once (the audit, a rescore)."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building many small acyclic values (facts, rows,
    tuples). At 50,000 applications its repeated passes over the growing heap cost a quarter of an
    audit and reclaim nothing: reference counting frees these values anyway. The collector is
    back on (if it was on) when the block ends, however it ends; nesting is safe.

    What the block made and kept (the standings the app keeps, say) then goes straight to the
    oldest generation, where it would have gone had it been scanned: scanning millions of young
    objects on the way out cost another 1.4 s of a 50,000-application audit and freed nothing. It
    is still scanned by the next full collection, like anything long-lived (`gc.freeze` and
    `gc.unfreeze` move every tracked object to the oldest generation; skipped when something else,
    a server that preloads the app, keeps objects frozen)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
