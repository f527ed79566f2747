"""The applications area's queue jobs: removing uploaded files whose row never committed."""
from __future__ import annotations

from grantflow.applications import attachments
from grantflow.tasks import periodic


@periodic("attachments_sweep", minute="17")
def sweep_attachments() -> None:
    attachments.sweep()
