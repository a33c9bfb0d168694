"""The stand-in's app factory: one FastAPI app per instance, its knobs passed in."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from .errors import HANDLED, handle
from .middleware import MarkStandIn
from .options import StandInOptions
from .profiles import profile_named
from .routes import classic, endpoint, hub, legacy, openai, pipelines, providers
from .schemas import inline_refs
from .state import StandInState
from .textgen import TextGenerator

_SHARED_GENERATOR: TextGenerator | None = None


def shared_generator() -> TextGenerator:
    """Return the text generator, built once per process (the corpus is read once)."""
    global _SHARED_GENERATOR
    if _SHARED_GENERATOR is None:
        _SHARED_GENERATOR = TextGenerator()
    return _SHARED_GENERATOR


def _inline_body_refs(node: Any) -> Any:
    """Inline pydantic's local ``#/$defs/X`` references in every body schema of the document
    (nothing at the document's root resolves them once a schema sits in an operation)."""
    if isinstance(node, dict):
        if "$defs" in node:
            return inline_refs(node)
        return {k: _inline_body_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_body_refs(v) for v in node]
    return node


def create_app(
    options: StandInOptions | None = None, *, clock: Callable[[], float] = time.monotonic
) -> FastAPI:
    """Return a stand-in app with the given knobs (all off by default).

    The profile is a knob too: ``create_app(StandInOptions(profile="today"))``.

    ``clock`` (seconds, monotonic) times rate-limit windows and cold starts; tests pass a
    fake one instead of sleeping.
    """
    # FastAPIOffline: FastAPI whose /docs and /redoc load swagger-ui and redoc from its own
    # StaticFiles mount (/static-offline-docs) instead of cdn.jsdelivr.net, so the pages work in
    # a room without internet (fastapi-offline 1.7.7, fastapi_offline/core.py).
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
    app.include_router(endpoint.router)
    for module in (legacy, hub, openai, pipelines, classic, providers):
        # classic's {id:path} and the providers' /{provider}/{path} last
        app.include_router(module.router)
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _inline_body_refs(build_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
