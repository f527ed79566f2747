"""Pages of the programs area."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("programs", __name__, cli_group=None)
