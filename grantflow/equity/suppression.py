"""Small-cell suppression with complementary suppression (CMS's cell-size rule; docs/domain.md).

A *cell* is a count of applications in one group of one dimension at one column (applied,
eligible, reviewed, recommended, awarded, and the hypothetical "funded by rubric only" / "funded
with the priority rules" columns). Every cell from 1 to k−1 is withheld (primary suppression).
Each column of a dimension also has a published total (the program's count at that column), and
the same totals are shared by every dimension — so a lone withheld cell could be recovered as
"total minus the visible groups". Complementary suppression prevents that:

1. A group withheld for its number of applicants has its whole row withheld (zeros included).
   Then in each column of each dimension, when exactly one cell is withheld, or the withheld cells
   could only add up to their sum one way (all 0s or 1s; or all k−1 when every one is a primary
   cell), the smallest visible non-zero cell is withheld too; repeat.
2. When no visible non-zero cell is left to withhold, the column's total is withheld — in every
   dimension, since all dimensions share it — and each dimension that then shows every non-zero
   cell of that column has its smallest one withheld, so the total cannot be re-added.
3. Zeros are withheld only in the rows of step 1, and never used as complements (a zero
   complement would let "hidden sum = 1" recover the hidden 1).

Derived figures (rates, ratios, shares, dollars, p-values, score statistics) are withheld by the
report whenever any count they are built from is withheld; dollars follow their count's cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field

INSUFFICIENT = "Insufficient sample"


def is_small(count: int, k: int) -> bool:
    return 0 < count < k


@dataclass
class Mask:
    """What is withheld in one dimension: (group, column) cells, plus the globally hidden totals."""
    cells: set[tuple[str, str]] = field(default_factory=set)
    totals: set[str] = field(default_factory=set)

    def hidden(self, group: str, column: str) -> bool:
        return (group, column) in self.cells


def _complete_column(values: dict[str, int], hidden: set[str], primary: set[str], k: int) -> bool:
    """Adds complementary cells to `hidden` until the column is safe; False when the column total
    must be withheld instead (no visible non-zero cell left)."""
    while hidden:
        s = sum(values[g] for g in hidden)
        all_primary = hidden <= primary
        # One hidden cell, or hidden cells whose sum leaves no doubt (all zeros, all ones, all k−1).
        unsafe = len(hidden) == 1 or s <= len(hidden) or (all_primary and s == (k - 1) * len(hidden))
        if not unsafe:
            return True
        candidates = sorted((v, g) for g, v in values.items() if g not in hidden and v > 0)
        if not candidates:
            return False
        hidden.add(candidates[0][1])
    return True


def suppress(dimensions: dict[str, dict[str, dict[str, int]]], k: int, *, base: str = "applied") -> dict[str, Mask]:
    """`dimensions[key][column][group] = count` → a Mask per dimension key.

    Every dimension must hold the same columns with the same totals (they partition the same
    applications); k ≤ 1 withholds nothing. A group too small to show in the `base` column
    (applicants) has every other cell of its row withheld too, zeros included: "0 of a hidden
    handful were funded" would tell each of them their fate.
    """
    masks = {key: Mask() for key in dimensions}
    if k <= 1:
        return masks
    hidden_totals: set[str] = set()
    hidden_by: dict[tuple[str, str], set[str]] = {}
    for key, columns in dimensions.items():
        small_rows = {g for g, v in columns.get(base, {}).items() if is_small(v, k)}
        for column, values in columns.items():
            primary = {g for g, v in values.items() if is_small(v, k)}
            hidden = primary | (small_rows & set(values))
            if is_small(sum(values.values()), k) or not _complete_column(values, hidden, primary, k):
                hidden_totals.add(column)
            hidden_by[(key, column)] = hidden
    for key, columns in dimensions.items():
        for column, values in columns.items():
            hidden = hidden_by[(key, column)]
            if column in hidden_totals and not any(values[g] for g in hidden):
                nonzero = sorted((v, g) for g, v in values.items() if v > 0 and g not in hidden)
                if nonzero:
                    hidden.add(nonzero[0][1])
            masks[key].cells |= {(g, column) for g in hidden}
            masks[key].totals = hidden_totals
    return masks


def suppress_list(values: dict, k: int, seed: set | None = None) -> set:
    """Primary + complementary suppression for one list of counts whose total may be known or
    inferred (criterion sample sizes, reviewers' counts, places): never exactly one withheld.
    `seed` holds entries already withheld elsewhere (e.g. by the dimension's mask), which must stay
    withheld here too or they would give the complement away."""
    if k <= 1:
        return set(seed or ())
    primary = {g for g, v in values.items() if is_small(v, k)}
    hidden = primary | set(seed or ())
    _complete_column(values, hidden, primary, k)
    return hidden
