"""Pages of the reviews area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reviews", __name__, cli_group=None)
