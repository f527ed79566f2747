"""Pages of the scoring area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("scoring", __name__, cli_group=None)
