"""Server-sent events (SSE) of a streamed answer, in TGI's format and OpenAI's.

TGI sends ``data:{"token": …}`` events, the last with ``generated_text``, and no ``[DONE]``;
OpenAI sends ``data: {chunk}`` until ``data: [DONE]``. Other lines (blank, ``: keep-alive``,
``event:``, ``id:``) are skipped; an ``{"error": …}`` event becomes a StreamError.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .errors import APIError, error_from_stream_event


def iter_events(lines: Iterable[str | bytes], url: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield each event as a dict; raise StreamError on an error event, APIError on non-JSON."""
    for raw in lines:
        line = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        data = line[len("data:") :].strip() if line.startswith("data:") else ""
        if data == "[DONE]":
            return
        if not data:
            continue
        try:
            event = json.loads(data)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            raise APIError(f"A stream event is not a JSON object: {data[:200]!r}", url=url)
        if "error" in event:
            raise error_from_stream_event(event, url)
        yield event
