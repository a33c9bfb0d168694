"""Reading JSON bodies as TGI's router does (axum's ``Json``, a 2 MB limit), never with a 500:
plain-text 415 without a JSON ``Content-Type``, 413 past ``MAX_BODY_BYTES`` (read no further),
400 for what serde_json refuses (invalid UTF-8 or syntax, deep nesting, ``NaN``, half a
surrogate pair); a client gone mid-body gets a quiet 400."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect

from ..contract import MAX_BODY_BYTES
from .errors import bad_json, body_error

_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _refuse(name: str) -> Any:
    raise ValueError(f"expected value, not {name} (JSON has no NaN or Infinity)")


def _float(text: str) -> float:
    if math.isinf(value := float(text)):  # 1e400: Python reads inf
        raise ValueError("number out of range")
    return value


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """Return the raw body, or raise the 413 without reading past ``limit`` bytes."""
    if getattr(request, "_body", None) is not None:
        return request._body
    too_large = body_error(413, "Failed to buffer the request body: length limit exceeded")
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit():
        raise body_error(400, f"Content-Length {declared!r} is not a number")
    if int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise too_large
    except ClientDisconnect:
        raise body_error(400, "the client closed the connection before the body ended") from None
    request._body = b"".join(chunks)  # Starlette's cache: request.body() keeps working
    return request._body


async def read_json(request: Request) -> Any:
    """Return the decoded JSON body, or raise TGI's plain-text 415, 413 or 400."""
    mime = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if mime != "application/json" and not re.fullmatch(r"application/[^/]+\+json", mime):
        raise body_error(415, "Expected request with `Content-Type: application/json`")
    raw = await read_body(request)
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_refuse, parse_float=_float)
        if _SURROGATE.search(text):  # half a pair decodes to a str that no .encode() survives
            json.dumps(value, ensure_ascii=False).encode()
    except UnicodeDecodeError as exc:
        raise bad_json(f"invalid UTF-8 at byte {exc.start}") from None
    except UnicodeEncodeError:
        raise bad_json("lone leading surrogate in hex escape") from None
    except json.JSONDecodeError as exc:
        message = "EOF while parsing a value" if not text.strip() else exc.msg
        raise bad_json(f"{message} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise bad_json("recursion limit exceeded") from None
    except ValueError as exc:  # NaN/Infinity, or a number too long to convert
        raise bad_json(str(exc)) from None
    return value
