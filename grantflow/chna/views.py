"""Pages of the chna area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("chna", __name__, cli_group=None)
