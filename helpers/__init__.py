"""Shared helpers for the Hugging Face inference tutorial notebooks.

Start every notebook with ``hf = connect()``: it picks the live service or the local stand-in,
says which one will answer and why, and exports ``HF_ROUTER_URL``, ``HF_HUB_URL``,
``HF_ENDPOINT_URL``, ``HF_TOKEN`` and ``HF_TUTORIAL_MODE`` for standalone snippet cells.
The layers, each a folder (``tests/test_layers.py`` checks that imports point one way):

- ``helpers.contract``: facts both sides share (ids, URLs, headers, TGI's rules, messages);
- ``helpers.client``: what a learner may copy (config, errors, session, payload, sse, ...);
- ``helpers.lessons``: notebook conveniences (``connect()``, explorer, cost calculator);
- ``helpers.standin``: the local stand-in of the API (FastAPI + uvicorn);
- ``helpers.tools``: maintainer tools run as ``python -m helpers.tools.NAME``.

Importing ``helpers`` is cheap: each name below loads its module on first use, and no web
framework loads until a stand-in starts.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "connect": "lessons.connection",
    "local_token": "lessons.connection",
    "Connection": "lessons.connection",
    "InferenceSession": "client.session",
    "Generation": "client.session",
    "parse_generation": "client.session",
    "Settings": "client.config",
    "HFError": "client.errors",
    "APIError": "client.errors",
    "BadRequestError": "client.errors",
    "ConfigurationError": "client.errors",
    "CHAT_MODEL": "contract",
    "GPT2": "contract",
    "explain": "explainer",
    "choose_provider": "lessons.providers",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Return ``helpers.NAME``, importing its module on first use (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
