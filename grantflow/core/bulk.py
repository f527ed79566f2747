"""Working on tens of thousands of rows at once (the audit, a rescore)."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building many small acyclic values (facts, rows,
    tuples). At 50,000 applications its repeated passes over the growing heap cost a quarter of an
    audit and reclaim nothing: reference counting frees these values anyway. The collector is
    back on (if it was on) when the block ends, however it ends; nesting is safe."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
