"""Reading server-sent events (SSE) from a streamed answer, in TGI's format and OpenAI's.

* TGI (classic ``"stream": true``): ``data:{"token": …}`` events; the last carries
  ``generated_text`` (and ``details`` when asked for); there is no ``[DONE]``.
* OpenAI (``/v1/completions``, ``/v1/chat/completions``): ``data: {chunk}`` until
  ``data: [DONE]``.

Lines that are not ``data:`` (blank separators, ``: keep-alive``, ``event:``, ``id:``) are
skipped. An ``{"error": …}`` event, sent when generation fails after the stream started with
200, becomes a StreamError. Sources: notebooks/REFERENCES.md, "Streaming".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .errors import APIError, error_from_stream_event

DONE = "[DONE]"


def data_lines(lines: Iterable[str | bytes]) -> Iterator[str]:
    """Yield the payload of every ``data:`` line, stopping at ``[DONE]``."""
    for raw in lines:
        line = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        line = line.rstrip("\r\n")
        if not line.startswith("data:"):
            continue
        data = line[len("data:") :].strip()
        if data == DONE:
            return
        if data:
            yield data


def iter_events(lines: Iterable[str | bytes], url: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield each event as a dict; raise StreamError on an error event, APIError on non-JSON."""
    for data in data_lines(lines):
        try:
            event = json.loads(data)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            raise APIError(f"A stream event is not a JSON object: {data[:200]!r}", url=url)
        if "error" in event:
            raise error_from_stream_event(event, url)
        yield event
