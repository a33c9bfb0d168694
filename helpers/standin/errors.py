"""One error type for every route, rendered by one exception handler in its surface's envelope.

``openai``: ``{"error": {"message", "type", "param", "code"}}``; ``tgi``: ``{"error",
"error_type"}`` (TGI's ``ErrorResponse``); ``hub``: ``{"error"}`` (the Hub and the router's proxy:
tokens, 429, 402, 503); ``text``: plain text (the router's ``Not Found``, axum's body rejections).
"""

from __future__ import annotations

import functools
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Literal

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException

from ..contract import ENDPOINT_PREFIX, NOT_FOUND_BODY

Surface = Literal["openai", "tgi", "hub", "text"]


@dataclass(eq=False)
class StandInError(Exception):
    """An error answer. ``kind``: OpenAI's ``type`` or TGI's ``error_type``; ``surface`` forces an
    envelope (else the route's); ``extra``: more top-level fields (``estimated_time``)."""

    status: int
    message: str
    _: KW_ONLY
    kind: str | None = None
    param: str | None = None
    code: str | None = None
    headers: dict[str, str] | None = None
    surface: Surface | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def envelope(self, surface: Surface) -> dict[str, Any] | str:
        """Return the body in ``surface``'s envelope (this error's own surface first)."""
        surface = self.surface or surface
        if surface == "text":
            return self.message
        if surface == "openai":
            error = {"message": self.message, "type": self.kind or "invalid_request_error"}
            return {"error": error | {"param": self.param, "code": self.code}}
        kind = {"error_type": self.kind} if surface == "tgi" and self.kind else {}
        return {"error": self.message, **kind, **self.extra}


not_found = functools.partial(StandInError, 404, NOT_FOUND_BODY, surface="text")
"""The router's 404: plain text ``Not Found``, not JSON."""
proxy_error = functools.partial(StandInError, surface="hub")
"""An error the router's proxy sends before any model runs: ``{"error"}``."""
body_error = functools.partial(StandInError, surface="text")
"""One of axum's JSON-extractor rejections (TGI's router, 415/400/422/413): plain text."""


def validation_error(message: str, status: int = 422) -> StandInError:
    """Return TGI's validation answer: ``{"error": "Input validation error: …"}``."""
    return StandInError(status, f"Input validation error: {message}", kind="validation")


def repo_not_found() -> StandInError:
    """Return the Hub's 404 with ``X-Error-Code: RepoNotFound`` (huggingface_hub reads it)."""
    headers = {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
    return proxy_error(404, "Repository not found", headers=headers)


def bad_json(message: str) -> StandInError:
    """Return the 400 for a body that is not JSON at all (axum's ``JsonSyntaxError``)."""
    return body_error(400, f"Failed to parse the request body as JSON: {message}")


def json_data_error(message: str) -> StandInError:
    """Return the 422 for JSON that does not fit the route's body (axum's ``JsonDataError``)."""
    return body_error(422, f"Failed to deserialize the JSON body into the target type: {message}")


async def handle(request: Request, exc: Exception) -> Response:
    """Render any error a route raises, in the envelope of the route's surface (by its path)."""
    if isinstance(exc, HTTPException):
        status, detail = exc.status_code, str(exc.detail)
        exc = not_found() if status == 404 else proxy_error(status, detail, headers=exc.headers)
    elif isinstance(exc, RequestValidationError):
        exc = validation_error(str(exc.errors()))
    path = request.url.path
    openai = "/v1/" in path or path.endswith(("/completions", "/responses"))
    hub, tgi = path.startswith("/api/"), path.startswith(ENDPOINT_PREFIX) or not openai
    body = exc.envelope("hub" if hub else "tgi" if tgi else "openai")
    answer = PlainTextResponse if isinstance(body, str) else JSONResponse
    return answer(body, exc.status, headers=exc.headers)


HANDLED = (StandInError, HTTPException, RequestValidationError)  # what ``handle`` renders
