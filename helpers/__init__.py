"""Shared helpers for the Hugging Face inference tutorial notebooks: start with ``hf = connect()``.

Layers (``tests/test_layers.py`` checks that imports point one way): ``contract`` (facts both
sides share), ``client`` (what a learner may copy), ``lessons`` (``connect()`` and notebook
conveniences, ``choose_provider``), ``standin`` (the local stand-in of the API), ``explainer``
(``explain(error)``), ``doctor`` (``python -m helpers.doctor``), ``tools`` (maintainer commands).
Each name below loads its module on first use: no web framework loads until a stand-in starts.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "connect": "lessons.connection",
    "local_token": "lessons.connection",
    "Connection": "lessons.connection",
    "InferenceSession": "client.session",
    "parse_generation": "client.session",
    "Settings": "client.config",
    "HFError": "client.errors",
    "ConfigurationError": "client.errors",
    "explain": "explainer",
    "choose_provider": "lessons.providers",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Return ``helpers.NAME``, importing its module on first use (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
