"""The stand-in's app factory: one FastAPI app per instance, its knobs passed in."""

from __future__ import annotations

import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import routes_hub, routes_legacy, routes_textgen
from .options import StandInOptions
from .responses import (
    STAND_IN_HEADER,
    STAND_IN_VALUE,
    StandInError,
    handle_stand_in_error,
    not_found,
)
from .textgen import TextGenerator

_SHARED_GENERATOR: TextGenerator | None = None


def shared_generator() -> TextGenerator:
    """Return the text generator, built once per process (the corpus is read once)."""
    global _SHARED_GENERATOR
    if _SHARED_GENERATOR is None:
        _SHARED_GENERATOR = TextGenerator()
    return _SHARED_GENERATOR


def create_app(options: StandInOptions | None = None) -> FastAPI:
    """Return a stand-in app with the given knobs (all off by default)."""
    app = FastAPI(
        title="Local stand-in of the Hugging Face inference API",
        description="Speaks the same HTTP contracts as the real service, offline. "
        "Its text comes from a small n-gram model, not from a real model.",
        version="1",
    )
    app.state.options = options or StandInOptions()
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

    @app.middleware("http")
    async def mark_stand_in(request: Request, call_next):
        response = await call_next(request)
        response.headers[STAND_IN_HEADER] = STAND_IN_VALUE
        response.headers.setdefault("x-request-id", "standin-" + uuid.uuid4().hex[:20])
        return response

    app.include_router(routes_legacy.router)
    app.include_router(routes_hub.router)
    app.include_router(routes_textgen.router)
    return app
