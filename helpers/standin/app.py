"""The stand-in's app factory: one FastAPI app per instance, its knobs passed in."""

from __future__ import annotations

import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..contract import STAND_IN_HEADER
from .options import StandInOptions
from .responses import (
    STAND_IN_VALUE,
    StandInError,
    handle_stand_in_error,
    not_found,
)
from .routes import classic, hub, legacy, openai
from .state import StandInState
from .textgen import TextGenerator

_SHARED_GENERATOR: TextGenerator | None = None


def shared_generator() -> TextGenerator:
    """Return the text generator, built once per process (the corpus is read once)."""
    global _SHARED_GENERATOR
    if _SHARED_GENERATOR is None:
        _SHARED_GENERATOR = TextGenerator()
    return _SHARED_GENERATOR


class MarkStandIn:
    """ASGI middleware: adds ``X-Stand-In`` and an ``x-request-id`` to every answer.

    Plain ASGI rather than ``@app.middleware``, so that streamed bodies pass through untouched
    (and a deliberately broken one really breaks the connection).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def marked_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[STAND_IN_HEADER] = STAND_IN_VALUE
                if "x-request-id" not in headers:
                    headers["x-request-id"] = "standin-" + uuid.uuid4().hex[:20]
            await send(message)

        await self.app(scope, receive, marked_send)


def create_app(options: StandInOptions | None = None) -> FastAPI:
    """Return a stand-in app with the given knobs (all off by default)."""
    app = FastAPI(
        title="Local stand-in of the Hugging Face inference API",
        description="Speaks the same HTTP contracts as the real service, offline. "
        "Its text comes from a small n-gram model, not from a real model.",
        version="1",
    )
    app.state.options = options or StandInOptions()
    app.state.knobs = StandInState(app.state.options)
    app.state.generator = shared_generator()
    app.add_exception_handler(StandInError, handle_stand_in_error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return not_found().to_response()
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse(
            {"error": f"Input validation error: {exc.errors()}", "error_type": "validation"},
            status_code=422,
        )

    app.add_middleware(MarkStandIn)
    app.include_router(legacy.router)
    app.include_router(hub.router)
    app.include_router(classic.router)
    app.include_router(openai.router)
    return app
