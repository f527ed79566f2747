"""Ordered lists (CHNA needs by rank, a program's questions, a rubric's criteria): moving one
item up or down, and numbering the list again after a change."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def move(items: Sequence[T], item_id: Any, step: int, *,
         key: Callable[[T], Any] = lambda item: item.id) -> tuple[list[T], int, int]:
    """`items` (in their order) with the item whose key is `item_id` moved `step` places (-1: up,
    +1: down): (the new order, its old index, its new index). Past either end nothing moves (the
    two indexes are equal). LookupError when no item has that key."""
    ordered = list(items)
    ids = [key(item) for item in ordered]
    if item_id not in ids:
        raise LookupError(item_id)
    i = ids.index(item_id)
    j = i + step
    if not 0 <= j < len(ordered):
        return ordered, i, i
    ordered.insert(j, ordered.pop(i))
    return ordered, i, j


def renumber(items: Iterable[Any], attr: str = "position", start: int = 0) -> None:
    """Sets `attr` of each item to its place in `items`, counting from `start`."""
    for n, item in enumerate(items, start):
        setattr(item, attr, n)
