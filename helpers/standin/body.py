"""Reading request bodies without ever answering 500."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from .responses import bad_json

MAX_BODY_BYTES = 2_000_000


async def read_json(request: Request) -> Any:
    """Return the decoded JSON body, or raise the 400 the service sends for a bad one."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise bad_json(f"body of {len(raw)} bytes is larger than {MAX_BODY_BYTES}")
    if not raw.strip():
        raise bad_json("the body is empty")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_json(str(exc)) from None
