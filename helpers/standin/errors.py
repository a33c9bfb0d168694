"""One error type for every route, and the one handler that renders it in its surface's envelope.

Routes raise ``StandInError(status, message, kind=..., param=...)``; the handler picks the body
from the route's surface (the FastAPI and vLLM idiom), unless the error names its own:

- ``openai``: ``{"error": {"message", "type", "param", "code"}}`` (the router's OpenAI routes);
- ``tgi``: ``{"error", "error_type"}`` (TGI's ``ErrorResponse``, router/src/server.rs);
- ``hub``: ``{"error"}`` (the Hub and the router's proxy: tokens, 429, 402, 503);
- ``text``: plain text (the router's ``Not Found``, axum's body rejections, HTML faults).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException

from ..contract import ENDPOINT_PREFIX, NOT_FOUND_BODY

Surface = Literal["openai", "tgi", "hub", "text"]


class StandInError(Exception):
    """An error answer: status, message, and how its surface names it.

    ``kind``: OpenAI's ``type`` or TGI's ``error_type`` (none: a proxy error, ``{"error"}``
    only); ``surface``: force an envelope (else the route's); ``extra``: more top-level fields
    (TGI's ``estimated_time``). A dict ``message`` is sent verbatim (a body no envelope fits).
    """

    def __init__(
        self,
        status: int,
        message: str | dict[str, Any],
        *,
        kind: str | None = None,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        surface: Surface | None = None,
        extra: dict[str, Any] | None = None,
    ):
        self.verbatim = message if isinstance(message, dict) else None
        if self.verbatim is not None:
            error = self.verbatim.get("error")
            message = str(error.get("message", error) if isinstance(error, dict) else error)
        super().__init__(status, message)
        self.status, self.message, self.kind = status, message, kind
        self.param, self.code, self.surface = param, code, surface
        self.headers = headers or {}
        self.extra = extra or {}
        self.body = self.verbatim or {"error": message}
        """A plain view for code that catches the error; the answer is ``envelope()``."""

    def envelope(self, surface: Surface) -> dict[str, Any] | str:
        """Return the body in ``surface``'s envelope (this error's own surface first)."""
        surface = self.surface or surface
        if self.verbatim is not None:
            return self.verbatim
        if surface == "text":
            return self.message
        if surface == "openai":
            return {
                "error": {
                    "message": self.message,
                    "type": self.kind or "invalid_request_error",
                    "param": self.param,
                    "code": self.code,
                }
            }
        body: dict[str, Any] = {"error": self.message}
        if surface == "tgi" and self.kind:
            body["error_type"] = self.kind
        return body | self.extra

    def render(self, surface: Surface) -> Response:
        """Return the HTTP answer in ``surface``'s envelope."""
        body = self.envelope(surface)
        if isinstance(body, str):
            return PlainTextResponse(body, self.status, headers=self.headers)
        return JSONResponse(body, self.status, headers=self.headers)


def surface_of(path: str) -> Surface:
    """Return the surface a path belongs to (its error envelope)."""
    if path.startswith("/api/"):
        return "hub"
    if path.startswith(ENDPOINT_PREFIX):
        return "tgi"
    openai = "/v1/" in path or path.endswith(("/completions", "/responses"))
    return "openai" if openai else "tgi"


def not_found() -> StandInError:
    """Return the router's 404: plain text ``Not Found``, not JSON."""
    return StandInError(404, NOT_FOUND_BODY, surface="text")


def proxy_error(status: int, message: str, **more: Any) -> StandInError:
    """Return an error the router's proxy sends before any model runs: ``{"error"}``."""
    return StandInError(status, message, surface="hub", **more)


def validation_error(message: str, status: int = 422) -> StandInError:
    """Return TGI's validation answer: ``{"error": "Input validation error: …"}``."""
    return StandInError(status, f"Input validation error: {message}", kind="validation")


def repo_not_found() -> StandInError:
    """Return the Hub's 404 with ``X-Error-Code: RepoNotFound`` (huggingface_hub reads it,
    utils/_http.py ``hf_raise_for_status``, and raises ``RepositoryNotFoundError``)."""
    headers = {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
    return proxy_error(404, "Repository not found", headers=headers)


def body_error(status: int, message: str) -> StandInError:
    """Return one of axum 0.7's JSON-extractor rejections (TGI's router): plain text.

    415 ``Expected request with `Content-Type: application/json```, 400 ``Failed to parse the
    request body as JSON: …``, 422 ``Failed to deserialize the JSON body into the target type:
    …``, 413 past TGI's ``DefaultBodyLimit`` (axum ``extract/rejection.rs``).
    """
    return StandInError(status, message, surface="text")


def bad_json(message: str) -> StandInError:
    """Return the 400 for a body that is not JSON at all (axum's ``JsonSyntaxError``)."""
    return body_error(400, f"Failed to parse the request body as JSON: {message}")


def json_data_error(message: str) -> StandInError:
    """Return the 422 for JSON that does not fit the route's body (axum's ``JsonDataError``)."""
    return body_error(422, f"Failed to deserialize the JSON body into the target type: {message}")


async def handle(request: Request, exc: Exception) -> Response:
    """Render any error a route raises, in the envelope of the route's surface."""
    surface = surface_of(request.url.path)
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return not_found().render(surface)
        error = proxy_error(exc.status_code, str(exc.detail), headers=exc.headers)
    elif isinstance(exc, RequestValidationError):
        error = validation_error(str(exc.errors()))
    else:
        assert isinstance(exc, StandInError)
        error = exc
    return error.render(surface)


HANDLED = (StandInError, HTTPException, RequestValidationError)
"""The exception types ``create_app`` registers ``handle`` for."""
