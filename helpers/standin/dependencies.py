"""The checks routes need, as FastAPI dependencies (``async def``: no thread-pool hop). ``admit``:
token (401/403), rate limit (429), credits (402), model (404), cold start (503), injected faults,
in the order the real service answers them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from .auth import bearer_token
from .body import read_json
from .options import StandInOptions
from .state import Admission, StandInState


def _app_state(name: str) -> Any:
    async def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return Depends(get)


async def require_token(request: Request) -> str:
    return bearer_token(request)


json_body = read_json
"""The JSON body, or TGI's plain-text 415, 413 or 400."""
Options = Annotated[StandInOptions, _app_state("options")]
Usage = Annotated[StandInState, _app_state("usage")]
Token = Annotated[str, Depends(require_token)]
"""A well-formed bearer token (else the Hub's 401)."""


def admit(request: Request, model_id: str | None) -> Admission:
    """Return the Admission, or raise the answer the service gives (``model_id`` None: 404)."""
    usage: StandInState = request.app.state.usage
    return usage.admit(bearer_token(request, usage.options), model_id)


def admit_model(resolve: Callable[[str], str | None]) -> Any:
    """Return a dependency admitting the path's ``model_id`` as ``resolve`` names it (None: 404)."""

    async def dependency(model_id: str, request: Request) -> Admission:
        return admit(request, resolve(model_id))

    return Depends(dependency)


class DeliberateDrop(Exception):
    """Raised inside a response body to break the connection on purpose (fault "drop")."""


async def broken_body(prefix: str) -> AsyncIterator[str]:
    """Yield the start of an answer, then break the connection (the "drop" fault)."""
    yield prefix
    raise DeliberateDrop("connection dropped on purpose by the stand-in's fault knob")
