"""Pages of the feedback area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback", __name__, cli_group=None)
