"""The audit's statistics, as docs/domain.md ("Equity audit") defines them, on plain Python and NumPy values.

Everything here works on raw (unsuppressed) numbers; `suppression.py` decides what may be shown
and `report.py` puts the two together. Fairlearn and pandas are used only by the tests, to check
these numbers (Fairlearn's MetricFrame is about 50x slower than a bincount).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np
from scipy import stats

FOUR_FIFTHS = 0.8


@dataclass(frozen=True)
class GroupCounts:
    """Raw per-group numbers of one dimension."""
    group: str
    applicants: int
    awards: int
    stages: tuple[int, ...]          # how many reached each funnel stage (applied .. awarded)
    cents_requested: int
    cents_awarded: int


def group_index(labels: Sequence[str], order: Iterable[str]) -> tuple[list[str], np.ndarray]:
    """Groups in display order (the dimension's order first, then any others) and each row's index."""
    groups = list(order)
    groups += sorted(g for g in dict.fromkeys(labels) if g not in groups)
    pos = {g: i for i, g in enumerate(groups)}
    return groups, np.fromiter(map(pos.__getitem__, labels), dtype=np.int64, count=len(labels))


def group_counts(groups: list[str], idx: np.ndarray, stage: np.ndarray, requested: np.ndarray,
                 awarded_cents: np.ndarray, n_stages: int = 5) -> list[GroupCounts]:
    """Raw numbers per group, from `group_index`'s groups and row indices."""
    m = len(groups)
    n = np.bincount(idx, minlength=m)
    reached = [np.bincount(idx[stage >= s], minlength=m) for s in range(n_stages)]
    req = np.bincount(idx, weights=requested, minlength=m)
    aw = np.bincount(idx, weights=awarded_cents, minlength=m)
    return [GroupCounts(g, int(n[i]), int(reached[-1][i]), tuple(int(r[i]) for r in reached),
                        int(round(req[i])), int(round(aw[i]))) for i, g in enumerate(groups)]


def rate(num: int, den: int) -> Optional[float]:
    return None if den <= 0 else num / den


def reference_group(rates: dict[str, Optional[float]], configured: Optional[str] = None) -> Optional[str]:
    """The configured reference when it has a rate, else the group with the highest rate (ties: the
    first in display order), as the four-fifths rule does."""
    if configured and rates.get(configured) is not None:
        return configured
    best, best_rate = None, -1.0
    for g, r in rates.items():
        if r is not None and r > best_rate:
            best, best_rate = g, r
    return best


def impact_ratio(sr: Optional[float], sr_ref: Optional[float]) -> Optional[float]:
    if sr is None or not sr_ref:
        return None
    return sr / sr_ref


def parity(rates: Iterable[Optional[float]]) -> tuple[Optional[float], Optional[float]]:
    """Demographic parity ratio (min/max selection rate) and difference (max − min), as Fairlearn's
    `demographic_parity_ratio` / `_difference` over the groups given."""
    values = [r for r in rates if r is not None]
    if not values:
        return None, None
    lo, hi = min(values), max(values)
    return (lo / hi if hi > 0 else None), hi - lo


def fisher_p(a: int, n: int, total_awards: int, total_applicants: int) -> Optional[float]:
    """Two-sided Fisher's exact test on group vs rest × awarded vs not."""
    rest_n, rest_a = total_applicants - n, total_awards - a
    if n <= 0 or rest_n <= 0:
        return None
    table = [[a, n - a], [rest_a, rest_n - rest_a]]
    return float(stats.fisher_exact(table, alternative="two-sided").pvalue)


@dataclass(frozen=True)
class RankTest:
    n_group: int
    n_rest: int
    mean_group: float
    mean_rest: float
    gap: float                # mean_group − mean_rest
    p: Optional[float]        # Mann–Whitney U, two-sided
    effect: Optional[float]   # rank-biserial correlation: +1 group always higher, −1 always lower


class Ranked:
    """One ranking of a set of values reused for many group-vs-rest Mann–Whitney tests.

    Uses the normal approximation with tie and continuity correction, identical to
    `scipy.stats.mannwhitneyu(method="asymptotic")` (what SciPy itself picks for samples that
    survive suppression) but O(n) per group instead of a re-sort per test.
    """

    def __init__(self, values: np.ndarray):
        self.values = np.asarray(values, dtype=float)
        self.ranks = stats.rankdata(self.values)
        _, counts = np.unique(self.values, return_counts=True)
        self.tie_term = float((counts ** 3 - counts).sum())
        self.n = len(self.values)

    def test(self, mask: np.ndarray) -> Optional[RankTest]:
        n1 = int(mask.sum())
        n2 = self.n - n1
        if n1 == 0 or n2 == 0:
            return None
        g, r = self.values[mask], self.values[~mask]
        u1 = float(self.ranks[mask].sum()) - n1 * (n1 + 1) / 2
        mu = n1 * n2 / 2
        n = n1 + n2
        var = n1 * n2 / 12 * ((n + 1) - self.tie_term / (n * (n - 1)))
        if var <= 0:
            p = 1.0
        else:
            # SciPy takes the larger U and subtracts 0.5 (continuity), two-sided.
            u = max(u1, n1 * n2 - u1)
            z = (u - mu - 0.5) / math.sqrt(var)
            p = float(min(1.0, 2 * stats.norm.sf(z)))
        return RankTest(n1, n2, float(g.mean()), float(r.mean()), float(g.mean() - r.mean()), p,
                        2 * u1 / (n1 * n2) - 1)


def greedy_funded(scores: Sequence[Optional[float]], amounts: Sequence[int], budget: int) -> np.ndarray:
    """Fund down the ranking (highest score first; ties by position) while the budget allows,
    skipping any request that no longer fits; unscored applications are never funded."""
    funded = np.zeros(len(scores), dtype=bool)
    order = sorted((i for i, s in enumerate(scores) if s is not None), key=lambda i: (-scores[i], i))
    left = budget
    for i in order:
        if 0 < amounts[i] <= left:
            funded[i] = True
            left -= amounts[i]
    return funded
