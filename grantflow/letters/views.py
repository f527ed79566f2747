"""Pages of the letters area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("letters", __name__, cli_group=None)
