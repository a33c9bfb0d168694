"""The seed tutorial's retired host, emulated: everything under it answers 410 Gone.

The real host is ``https://api-inference.huggingface.co``; on the stand-in it lives under the
path prefix ``/api-inference.huggingface.co`` so that one port serves everything.
"""

from __future__ import annotations

from fastapi import APIRouter

from ...contract import LEGACY_GONE_MESSAGE, LEGACY_PREFIX
from ..responses import StandInError

router = APIRouter(prefix=LEGACY_PREFIX, tags=["retired host (410)"])


@router.api_route(
    "/{rest:path}", methods=["GET", "POST", "OPTIONS", "HEAD"], include_in_schema=False
)
async def gone(rest: str) -> None:
    """Answer 410 with the body the real host sends (hf-api-facts.md §1)."""
    raise StandInError(410, {"error": LEGACY_GONE_MESSAGE})
