"""Pages of the equity area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("equity", __name__, cli_group=None)
