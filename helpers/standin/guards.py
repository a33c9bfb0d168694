"""What every inference request passes before it is served: token, limits, credits, faults."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from fastapi import Request

from .auth import require_inference_permission
from .responses import not_found
from .state import DeliberateDrop, StandInState, fault_error


@dataclass
class Admission:
    """A request that may be served: its token, headers to add, and whether to drop it."""

    token: str
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def admit(request: Request, model_id: str | None) -> Admission:
    """Return the Admission, or raise the answer the service would give instead.

    Order: 401/403 (token), 429 (rate limit), 402 (credits), 404 (model; ``model_id`` None
    means not served), 503 (cold start), then an injected fault if one is drawn.
    """
    state: StandInState = request.app.state.knobs
    token = require_inference_permission(request, state.options)
    headers = state.rate_limit_headers(token)
    state.check_credits()
    if model_id is None:
        raise not_found()
    state.check_cold_start(model_id)
    fault = state.draw_fault()
    if fault is not None and fault != "drop":
        raise fault_error(fault)
    return Admission(token, headers, drop=fault == "drop")


async def broken_body(prefix: str):
    """Yield the start of an answer, then break the connection (the "drop" fault)."""
    yield prefix
    raise DeliberateDrop("connection dropped on purpose by the stand-in's fault knob")


class HideDeliberateDrops(logging.Filter):
    """Keeps uvicorn's error log free of the tracebacks of deliberate drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, DeliberateDrop):
                return False
            exc = exc.__cause__ or exc.__context__
        return True


logging.getLogger("uvicorn.error").addFilter(HideDeliberateDrops())
