"""Kept for the routes that import from here: the checks live in ``dependencies``."""

from __future__ import annotations

from .dependencies import Admission, HideDeliberateDrops, admit, broken_body

__all__ = ["Admission", "HideDeliberateDrops", "admit", "broken_body"]
