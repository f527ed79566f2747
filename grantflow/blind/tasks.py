"""Queue jobs of blind review: the hourly sweep of redacted copies no row names."""
from __future__ import annotations

from grantflow.blind import copies
from grantflow.tasks import periodic


@periodic("redacted_copies_sweep", minute="23")
def sweep_copies() -> None:
    copies.sweep()
