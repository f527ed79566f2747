"""Small-cell suppression for the feedback pages: no count of 1..k-1 is shown, nor any mean or
share built on one, and when exactly one cell of a row would be hidden the next smallest is hidden
too (complementary suppression), so a hidden value cannot be recovered from the total."""
from __future__ import annotations

from typing import Hashable, Mapping, Optional

from flask import current_app


def k_threshold() -> int:
    return int(current_app.config["SURVEY_SUPPRESSION_K"])


def small(n: int, k: int) -> bool:
    return 0 < n < k


def suppress_counts(counts: Mapping[Hashable, int], k: int, *, total_shown: bool = True) -> dict[Hashable, Optional[int]]:
    """key -> count, or None where the count must not be shown."""
    out: dict[Hashable, Optional[int]] = {key: (None if small(n, k) else n) for key, n in counts.items()}
    hidden = [key for key, v in out.items() if v is None]
    if total_shown and len(hidden) == 1:
        visible = sorted(((n, key) for key, n in counts.items() if out[key] is not None and n > 0),
                         key=lambda t: t[0])
        if visible:
            out[visible[0][1]] = None
    return out
