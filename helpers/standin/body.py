"""Reading JSON request bodies the way TGI's router does, without ever answering 500.

Every route that takes a JSON body reads it with ``read_json``, so all of them share TGI's
wire behaviour (axum 0.7's ``Json`` extractor behind ``DefaultBodyLimit::max(payload_limit)``,
text-generation-inference router/src/server.rs at db931fcf; the limit's default, 2 MB, is the
launcher's ``--payload-limit``):

- 415 when ``Content-Type`` is missing or not JSON (``application/json`` or ``…+json``);
- 413 past ``MAX_BODY_BYTES``, decided from ``Content-Length`` before reading anything, or, for
  a chunked body, as soon as the bytes read pass the limit (the rest is never read);
- 400 for bytes that are not JSON: invalid UTF-8, a syntax error, an empty body, nesting too
  deep to parse (Python raises RecursionError there, which is not a ValueError), or ``NaN`` /
  ``Infinity`` / ``-Infinity`` anywhere (Python's ``json`` reads them, serde_json, which TGI's
  router uses, does not: RFC 8259 has no such numbers), or a ``\\uD800``-style escape that is
  half a surrogate pair (Python's ``json`` turns it into a lone surrogate that no later
  ``.encode()`` survives; serde_json refuses it: "lone leading surrogate in hex escape",
  serde_json src/read.rs ``parse_unicode_escape``);
all as plain text.

A client that closes its socket in the middle of the body (Starlette's ``ClientDisconnect``)
gets no answer and leaves no traceback in the log: ``read_body`` turns it into a quiet 400 that
nobody reads (uvicorn drops an answer to a closed connection).
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect

from ..contract import MAX_BODY_BYTES
from .errors import StandInError, bad_json, body_error

__all__ = ["MAX_BODY_BYTES", "is_json_content_type", "read_body", "read_json"]

UNSUPPORTED_MEDIA_TYPE = "Expected request with `Content-Type: application/json`"
TOO_LARGE = "Failed to buffer the request body: length limit exceeded"
_STRING_OR_CONSTANT = re.compile(r'"(?:\\.|[^"\\])*"|(-?Infinity|NaN)')
"""A JSON string (skipped) or one of the non-numbers Python's json accepts."""
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""A ``\\u`` escape of a UTF-16 surrogate (D800-DFFF): the trigger for the slow check."""
_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\.")
CLIENT_GONE = "the client closed the connection before the body ended"


class _NotJSONNumber(ValueError):
    """Raised while decoding when the text holds NaN or ±Infinity."""


def _refuse_constant(name: str) -> Any:
    raise _NotJSONNumber(name)


def _where_constant(text: str) -> str:
    """Return serde_json's way of saying where the first NaN/Infinity outside strings is."""
    for match in _STRING_OR_CONSTANT.finditer(text):
        if match.group(1):
            start = match.start(1)
            line = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            return f"expected value at line {line} column {column}"
    return "expected value"


def _where_lone_surrogate(text: str) -> str | None:
    """Return serde_json's message for the first lone surrogate escape in a string, or None.

    A high surrogate (D800-DBFF) must be followed at once by a ``\\u`` low one (DC00-DFFF); a
    low one on its own is as lone. serde_json reports the position after the bad escape.
    """
    for string in _STRING.finditer(text):
        pending_end = -1  # where the escape after a high surrogate must start
        for escape in _ESCAPE.finditer(text, string.start(), string.end()):
            hex_digits = escape.group(1)
            unit = int(hex_digits, 16) if hex_digits else -1
            if pending_end >= 0:
                if escape.start() != pending_end:
                    return _lone(text, pending_end)
                if not 0xDC00 <= unit <= 0xDFFF:
                    return _lone(text, escape.end())
                pending_end = -1
                continue
            if 0xD800 <= unit <= 0xDBFF:
                pending_end = escape.end()
            elif 0xDC00 <= unit <= 0xDFFF:
                return _lone(text, escape.end())
        if pending_end >= 0:
            return _lone(text, pending_end)
    return None


def _lone(text: str, end: int) -> str:
    line = text.count("\n", 0, end) + 1
    column = end - (text.rfind("\n", 0, end) + 1)
    return f"lone leading surrogate in hex escape at line {line} column {column}"


def is_json_content_type(value: str | None) -> bool:
    """Return True for ``application/json`` or ``application/<x>+json`` (parameters allowed)."""
    if not value:
        return False
    mime = value.split(";", 1)[0].strip().lower()
    kind, _, subtype = mime.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def too_large() -> StandInError:
    """Return the 413 for a body over the limit."""
    return body_error(413, TOO_LARGE)


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """Return the raw body, or raise the 413 without reading past ``limit`` bytes."""
    cached = getattr(request, "_body", None)
    if cached is not None:
        return cached
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            declared_bytes = int(declared)
        except ValueError:
            raise body_error(400, f"Content-Length {declared!r} is not a number") from None
        if declared_bytes > limit:
            raise too_large()
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large()
            chunks.append(chunk)
    except ClientDisconnect:
        raise body_error(400, CLIENT_GONE) from None
    raw = b"".join(chunks)
    request._body = raw  # Starlette's cache: request.body() keeps working after this
    return raw


async def read_json(request: Request) -> Any:
    """Return the decoded JSON body, or raise TGI's plain-text 415, 413 or 400."""
    if not is_json_content_type(request.headers.get("content-type")):
        raise body_error(415, UNSUPPORTED_MEDIA_TYPE)
    raw = await read_body(request)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_json(f"invalid UTF-8 at byte {exc.start}") from None
    if not text.strip():
        raise bad_json("EOF while parsing a value at line 1 column 0")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except _NotJSONNumber:
        raise bad_json(_where_constant(text)) from None
    except json.JSONDecodeError as exc:
        raise bad_json(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise bad_json("recursion limit exceeded") from None
    except ValueError as exc:  # e.g. a number too long to convert
        raise bad_json(str(exc)) from None
    if _SURROGATE_ESCAPE.search(text):
        where = _where_lone_surrogate(text)
        if where is not None:
            raise bad_json(where)
    return value
