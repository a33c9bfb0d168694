"""Server-sent events in the two dialects on the wire: TGI's ``data:{json}`` (no space, axum's
``json_data``; no ``[DONE]``) and OpenAI's ``data: {json}``, closed by ``data: [DONE]``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

OPENAI_DONE = "data: [DONE]\n\n"


def tgi_event(obj: Any) -> str:
    return f"data:{json.dumps(obj)}\n\n"


def openai_event(obj: Any) -> str:
    return f"data: {json.dumps(obj)}\n\n"


def openai_error_event(message: str) -> str:
    """Return the event an OpenAI-compatible stream sends when it fails after it started."""
    return openai_event({"error": {"message": message, "type": "server_error"}})


def tgi_openai_error_event(message: str, status: int = 422) -> str:
    """Return the error event of TGI's OpenAI-compatible streams (``into_openai_event``: 422)."""
    return openai_event({"error": {"message": message, "http_status_code": status}})


async def pace(seconds: float) -> None:
    """Wait before a streamed event (the stream-delay knob); tests replace it to count pauses."""
    if seconds > 0:
        await asyncio.sleep(seconds)
