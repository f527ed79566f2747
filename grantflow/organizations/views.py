"""Pages of the organizations area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("organizations", __name__, cli_group=None)
