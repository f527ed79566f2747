"""The pause of the cyclic garbage collector around bulk work (grantflow/core/bulk.py)."""
import gc

from grantflow.core.bulk import gc_paused


def test_gc_paused_restores_the_collector_however_the_block_ends():
    assert gc.isenabled()
    try:
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # an inner block does not turn it back on early
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()


class _Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the collector frees it


def test_what_the_block_keeps_goes_to_the_oldest_generation_unscanned():
    with gc_paused():
        kept = [{"row": i} for i in range(50_000)]
    assert gc.get_count()[0] < 1_000  # not left young, to be scanned by the next collection
    assert any(o is kept for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_made_in_the_block_waits_for_a_full_collection():
    import weakref

    with gc_paused():
        node = _Node()
        ref = weakref.ref(node)
        del node
    assert ref() is not None  # a cycle outlives the pause…
    gc.collect(0)
    assert ref() is not None  # …and a young collection: it is in the oldest generation…
    gc.collect()
    assert ref() is None  # …which the next full collection frees


def test_objects_frozen_by_someone_else_stay_frozen():
    """Judged by one object frozen before the block: it stays out of the collector's generations.
    (The freeze count itself may fall meanwhile: another thread of the test process, a live server
    say, can free objects that were frozen with it.)"""
    marker = []  # tracked by the collector
    gc.freeze()
    try:
        with gc_paused():
            [{"row": i} for i in range(1_000)]
        assert gc.get_freeze_count() > 0
        assert not any(o is marker for o in gc.get_objects())  # still frozen: not moved to a generation
    finally:
        gc.unfreeze()
    assert any(o is marker for o in gc.get_objects(generation=2))  # the check above can see it
