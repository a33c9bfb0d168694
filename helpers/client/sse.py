"""Reading server-sent events (SSE) from a streamed response, in both formats the service uses.

* TGI (classic ``"stream": true``): ``data:{"token": …}`` events, no space after ``data:``; the
  last event carries ``generated_text`` and ``details``; there is **no** ``[DONE]``.
  TGI puts ``details`` on the last event only when ``"details": true`` was sent
  (TGI ``router/src/server.rs`` at ``db931fcf``, ``generate_stream``).
* OpenAI (``/v1/completions``, ``/v1/chat/completions``): ``data: {chunk}`` events ending
  with ``data: [DONE]``.

Lines that do not start with ``data:`` (blank separators, ``: keep-alive`` comments, ``event:``
or ``id:`` fields) are skipped. An ``{"error": …}`` event, which servers send when generation
fails after the stream started with 200, becomes the exception its ``error_type`` names
(``errors.error_from_stream_event``); its ``status`` stays None, since no HTTP status came
with it. Sources: notebooks/REFERENCES.md, "Streaming".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .errors import StreamError, UnexpectedResponseError, error_from_stream_event

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


def stream_error(event: dict[str, Any], url: str | None = None) -> StreamError:
    """Return our exception for an ``{"error": …}`` event (TGI or OpenAI shape)."""
    return error_from_stream_event(event, url)


def iter_events(lines: Iterable[str | bytes], url: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield each event as a dict; raise on an error event or a line that is not JSON."""
    for data in data_lines(lines):
        try:
            event = json.loads(data)
        except ValueError:
            raise UnexpectedResponseError(
                f"A stream event is not JSON: {data[:200]!r}", url=url
            ) from None
        if isinstance(event, dict) and "error" in event:
            raise stream_error(event, url)
        if not isinstance(event, dict):
            raise UnexpectedResponseError(
                f"A stream event is not an object: {data[:200]!r}", url=url
            )
        yield event


def tgi_token_texts(events: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Yield the text of each generated token from TGI events (special tokens skipped)."""
    for event in events:
        token = event.get("token") or {}
        if not token.get("special"):
            yield token.get("text", "")


def openai_delta_texts(events: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Yield the content of each chat chunk's delta (chunks without content skipped)."""
    for event in events:
        for choice in event.get("choices") or []:
            content = (choice.get("delta") or {}).get("content")
            if content:
                yield content


def completion_texts(events: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Yield the text of each OpenAI completions chunk (``choices[].text``; empty ones skipped)."""
    for event in events:
        for choice in event.get("choices") or []:
            text = choice.get("text")
            if text:
                yield text
