"""Deterministic demo and synthetic data (placeholder until the generator lands)."""
from __future__ import annotations


def build_demo(*, reset: bool, seed: int, n_applications: int | None, echo=print) -> dict:
    raise NotImplementedError
