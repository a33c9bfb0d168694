"""The checks routes need, as FastAPI dependencies (``async def``: no thread-pool hop).

Inference routes call ``admit``: token (401/403), rate limit (429), credits (402), model (404),
cold start (503) and injected faults, in the order the real service answers them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from .auth import bearer_token
from .body import read_json
from .options import StandInOptions
from .state import DeliberateDrop, StandInState, fault_error


def _app_state(name: str) -> Any:
    async def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return Depends(get)


async def require_token(request: Request) -> str:
    return bearer_token(request)


async def json_body(request: Request) -> Any:
    """Return the JSON body (415/413/400 as TGI answers them, see ``body.read_json``)."""
    return await read_json(request)


Options = Annotated[StandInOptions, _app_state("options")]
Usage = Annotated[StandInState, _app_state("usage")]
Token = Annotated[str, Depends(require_token)]
"""A well-formed bearer token (else the Hub's 401)."""


@dataclass
class Admission:
    """A request that may be served: its token, headers to add, and whether to drop it."""

    token: str
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def admit(request: Request, model_id: str | None) -> Admission:
    """Return the Admission, or raise the answer the service gives (``model_id`` None: 404)."""
    usage: StandInState = request.app.state.usage
    token = bearer_token(request, usage.options)
    headers, fault = usage.admit(token, model_id)
    if fault not in (None, "drop"):
        raise fault_error(fault)
    return Admission(token, headers, drop=fault == "drop")


def admit_model(resolve: Callable[[str], str | None]) -> Any:
    """Return a dependency admitting the path's ``model_id`` as ``resolve`` names it (None: 404)."""

    async def dependency(model_id: str, request: Request) -> Admission:
        return admit(request, resolve(model_id))

    return Depends(dependency)


async def broken_body(prefix: str) -> AsyncIterator[str]:
    """Yield the start of an answer, then break the connection (the "drop" fault)."""
    yield prefix
    raise DeliberateDrop("connection dropped on purpose by the stand-in's fault knob")


def _not_a_drop(record: logging.LogRecord) -> bool:
    """Keep uvicorn's error log free of the tracebacks of deliberate drops."""
    exc = record.exc_info[1] if record.exc_info else None
    while exc is not None and not isinstance(exc, DeliberateDrop):
        exc = exc.__cause__ or exc.__context__
    return exc is None


logging.getLogger("uvicorn.error").addFilter(_not_a_drop)
