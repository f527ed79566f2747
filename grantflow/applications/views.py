"""Pages of the applications area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("applications", __name__, cli_group=None)
