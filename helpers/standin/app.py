"""The app factory (one FastAPI app per instance, its knobs passed in) and the middleware that
marks every answer with ``X-Stand-In``."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..contract import LEGACY_PREFIX, STAND_IN_HEADER
from .errors import HANDLED, handle
from .options import StandInOptions
from .profiles import Profile, profile_named
from .routes import classic, endpoint, hub, legacy, openai, pipelines, providers
from .schemas import inline_refs
from .state import StandInState
from .textgen import TextGenerator

STAND_IN_VALUE = "helpers.standin; text from a small n-gram model, not from a real model"
OWN_HEADER_PREFIX = "x-standin-"
"""Headers only the stand-in sends; a profile that marks nothing (``today``) strips them."""
MAX_REQUEST_HEADERS = 100
"""hyper (under TGI's axum router) parses at most 100 request headers and answers 431 past that."""

shared_generator = functools.cache(TextGenerator)
"""The text generator, built once per process (the corpus is read once)."""


class MarkStandIn:
    """Adds ``X-Stand-In`` and an ``x-request-id`` to every answer, and counts it.

    Plain ASGI, so streamed bodies pass through untouched (and a deliberate drop really drops).
    """

    def __init__(self, app: ASGIApp, profile: Profile) -> None:
        self.app, self.profile = app, profile

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def marked_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not self.profile.marks_stand_in:
                    for name in [k for k in headers if k.startswith(OWN_HEADER_PREFIX)]:
                        del headers[name]
                headers[STAND_IN_HEADER] = STAND_IN_VALUE
                headers.setdefault("x-request-id", self.profile.request_id())
                scope["app"].state.usage.record_answer(
                    scope["method"], scope["path"], message["status"]
                )
            await send(message)

        if len(scope["headers"]) > MAX_REQUEST_HEADERS and not scope["path"].startswith(
            LEGACY_PREFIX  # the retired host is another server: 410 for everything
        ):
            body = b"Request Header Fields Too Large: at most 100 headers"
            headers = [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"%d" % len(body)),
            ]
            await marked_send({"type": "http.response.start", "status": 431, "headers": headers})
            return await send({"type": "http.response.body", "body": body})
        await self.app(scope, receive, marked_send)


def _inline_body_refs(node: Any) -> Any:
    """Inline pydantic's ``#/$defs/X`` references in every body schema of an OpenAPI document."""
    if isinstance(node, dict):
        return (
            inline_refs(node)
            if "$defs" in node
            else {k: _inline_body_refs(v) for k, v in node.items()}
        )
    return [_inline_body_refs(v) for v in node] if isinstance(node, list) else node


def create_app(
    options: StandInOptions | None = None, *, clock: Callable[[], float] = time.monotonic
) -> FastAPI:
    """Return a stand-in app with the given knobs (all off by default; the profile is one).

    ``clock`` (seconds, monotonic) times rate-limit windows and cold starts; tests pass a fake.
    """
    # FastAPIOffline serves /docs' swagger-ui and redoc itself: they work in a room without internet.
    app: FastAPI = FastAPIOffline(
        title="Local stand-in of the Hugging Face inference API",
        description="Speaks the same HTTP contracts as the real service, offline. "
        "Its text comes from a small n-gram model, not from a real model.",
        version="1",
    )
    app.state.options = options or StandInOptions()
    app.state.profile = profile_named(app.state.options.profile)
    app.state.usage = StandInState(app.state.options, clock=clock)
    app.state.generator = shared_generator()
    for kind in HANDLED:
        app.add_exception_handler(kind, handle)
    app.add_middleware(MarkStandIn, profile=app.state.profile)
    for module in (endpoint, legacy, hub, openai, pipelines, classic, providers):
        app.include_router(module.router)  # classic's {id:path} and providers' catch-all last
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        app.openapi_schema = app.openapi_schema or _inline_body_refs(build_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
