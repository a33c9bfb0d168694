"""The seed tutorial's retired host, emulated: everything under it answers 410 Gone.

The real host is ``https://api-inference.huggingface.co``; on the stand-in it lives under the
path prefix ``/api-inference.huggingface.co`` so that one port serves everything. No token is
checked: the real host answers 410 before looking at one.
"""

from __future__ import annotations

from fastapi import APIRouter

from ...contract import LEGACY_GONE_MESSAGE, LEGACY_PREFIX
from ..errors import proxy_error

router = APIRouter(prefix=LEGACY_PREFIX, tags=["retired host (410)"])


async def gone(rest: str) -> None:
    """Answer 410 with the body the real host sends (sources: REFERENCES.md [legacy-host])."""
    raise proxy_error(410, LEGACY_GONE_MESSAGE)


for _method in ("GET", "POST", "OPTIONS", "HEAD"):
    router.add_api_route(
        "/{rest:path}", gone, methods=[_method], operation_id=f"legacy_gone_{_method.lower()}"
    )
