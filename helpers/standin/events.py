"""Server-sent events, written in one place for every streaming route of the stand-in.

Two dialects exist on the wire:

- TGI (``/generate_stream`` and the classic ``{"stream": true}``): ``data:{json}`` with no space
  after the colon, a blank line, and no terminating ``[DONE]``; the last token event carries
  ``generated_text`` (TGI ``router/src/server.rs`` @ ``db931fcf``, ``generate_stream``: axum's
  ``Event::default().json_data(...)`` writes ``data:`` without a space).
- OpenAI (``/v1/completions``, ``/v1/chat/completions``): ``data: {json}`` with a space, a blank
  line, and a final ``data: [DONE]`` (openai-python ``_streaming.py`` stops at ``[DONE]``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

OPENAI_DONE = "data: [DONE]\n\n"
"""The OpenAI stream's last event."""


def _dumps(obj: Any) -> str:
    # Python's default separators (", " and ": "); any JSON parser reads them the same way.
    return json.dumps(obj)


def tgi_event(obj: Any) -> str:
    """Return one TGI stream event: ``data:{json}`` and a blank line (no space, no [DONE])."""
    return "data:" + _dumps(obj) + "\n\n"


def openai_event(obj: Any) -> str:
    """Return one OpenAI stream event: ``data: {json}`` and a blank line."""
    return "data: " + _dumps(obj) + "\n\n"


def openai_error_event(message: str) -> str:
    """Return the event an OpenAI-compatible stream sends when it fails after it started."""
    return openai_event({"error": {"message": message, "type": "server_error"}})


def tgi_openai_error_event(message: str, status: int = 422) -> str:
    """Return the error event of TGI's OpenAI-compatible streams: ``{"error": {"message",
    "http_status_code"}}`` (TGI ``router/src/infer/mod.rs`` @ ``db931fcf``,
    ``InferError::into_openai_event``, which always sends 422)."""
    return openai_event({"error": {"message": message, "http_status_code": status}})


async def pace(seconds: float) -> None:
    """Wait before a streamed event (the stream-delay knob). Tests replace it to count pauses."""
    if seconds > 0:
        await asyncio.sleep(seconds)
