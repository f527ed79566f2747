"""`with_stack_headroom` (grantflow.core.pdf): renders called from a deep stack must not pay for
CPython 3.11/3.12 mapping and unmapping a 16 KiB stack chunk each time a recursion crosses the
chunk's boundary. Measured here by the process's minor page faults: each fresh chunk is a fault."""
from __future__ import annotations

import mmap
import resource

import pytest

from grantflow.core.pdf import with_stack_headroom

DIVES = 300


def _down(depth: int) -> int:
    return 0 if depth == 0 else 1 + _down(depth - 1)


def _worst_faults(call) -> int:
    """The most page faults of DIVES dives to one depth, over depths spanning more than a chunk:
    at one of them every dive crosses a boundary (if the interpreter frees chunks eagerly)."""
    worst = 0
    for depth in range(0, 420, 3):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        call(lambda: [_down(depth) for _ in range(DIVES)])
        worst = max(worst, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return worst


def test_no_fresh_stack_chunk_per_call_with_headroom():
    assert _worst_faults(with_stack_headroom) < DIVES // 4


def test_the_fault_count_sees_a_fresh_mapping_per_call():
    # The measurement above can fail: a call that maps (and touches) a fresh page every time is
    # seen at about one fault per dive, as CPython 3.11 without the headroom is at its worst depth.
    def fresh_page() -> None:
        with mmap.mmap(-1, mmap.PAGESIZE) as page:
            page[0] = 1

    assert _worst_faults(lambda fn: (fn(), [fresh_page() for _ in range(DIVES)])) >= DIVES * 9 // 10


def test_returns_the_result_and_raises_what_the_call_raises():
    assert with_stack_headroom(lambda: with_stack_headroom(lambda: 42)) == 42
    with pytest.raises(ZeroDivisionError):
        with_stack_headroom(lambda: 1 / 0)
