"""Pages of the decisions area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("decisions", __name__, cli_group=None)
