"""The one refusal of the awards area: what was wrong, keyed by the form field it belongs to."""
from __future__ import annotations


class AwardError(Exception):
    """A change the awards area refuses; `problems` maps a field name (None: the whole form) to
    its message, and nothing the call would have changed is kept."""

    def __init__(self, problems: dict[str | None, str] | str, field: str | None = None):
        self.problems = problems if isinstance(problems, dict) else {field: problems}
        super().__init__("; ".join(self.problems.values()))

    @property
    def message(self) -> str:
        return str(self)
