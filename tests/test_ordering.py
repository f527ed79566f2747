"""Moving an item of an ordered list, written once (grantflow/core/ordering.py) for CHNA needs,
custom questions and rubric criteria."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from grantflow.core.ordering import move, renumber


def _items(*ids):
    return [SimpleNamespace(id=i, position=None) for i in ids]


def test_move_up_down_and_not_past_the_ends():
    items = _items(1, 2, 3)
    assert [x.id for x in move(items, 3, -1)[0]] == [1, 3, 2] and move(items, 3, -1)[1:] == (2, 1)
    assert [x.id for x in move(items, 1, +1)[0]] == [2, 1, 3]
    assert move(items, 1, -1)[1:] == (0, 0) and [x.id for x in move(items, 1, -1)[0]] == [1, 2, 3]
    assert move(items, 3, +1)[1:] == (2, 2)
    assert [x.id for x in items] == [1, 2, 3]  # the given list is left as it was
    with pytest.raises(LookupError):
        move(items, 9, 1)


def test_renumber_from_any_start():
    items = _items(5, 6)
    renumber(items)
    assert [x.position for x in items] == [0, 1]
    renumber(items, "rank", start=1)
    assert [x.rank for x in items] == [1, 2]
