"""The classic tutorials' retired host (``api-inference.huggingface.co``), served under the path
prefix ``/api-inference.huggingface.co``: everything answers 410 Gone, before any token is
checked."""

from __future__ import annotations

from fastapi import APIRouter

from ...contract import LEGACY_GONE_MESSAGE, LEGACY_PREFIX
from ..errors import proxy_error

router = APIRouter(prefix=LEGACY_PREFIX, tags=["retired host (410)"])


async def gone(rest: str) -> None:
    """Answer 410 with the body the real host sends (REFERENCES.md [legacy-host])."""
    raise proxy_error(410, LEGACY_GONE_MESSAGE)


for method in ("GET", "POST", "OPTIONS", "HEAD"):  # one operation id each in /openapi.json
    router.add_api_route("/{rest:path}", gone, methods=[method], operation_id=f"gone_{method}")
