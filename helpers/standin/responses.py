"""Error answers with the real service's bodies and status codes.

``StandInError`` is raised anywhere inside a route and rendered by the app's handler. Its body
is a dict (sent as JSON) or a str (sent as plain text, as the router's 404 and TGI's body
extractor errors are).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ..contract import NOT_FOUND_BODY

STAND_IN_VALUE = "helpers.standin; text from a small n-gram model, not from a real model"


class StandInError(Exception):
    """An error answer: status, body (a dict for JSON, a str for plain text), headers.

    ``plain_text=True`` with a ``{"error": message}`` body sends ``message`` as plain text
    while code that catches the error can still read ``body["error"]``.
    """

    def __init__(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        *,
        plain_text: bool = False,
    ):
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.plain_text = plain_text or isinstance(body, str)

    @property
    def message(self) -> str:
        """Return the human-readable message, whatever the body's shape."""
        if isinstance(self.body, str):
            return self.body
        if isinstance(self.body, dict):
            error = self.body.get("error")
            if isinstance(error, dict):
                return str(error.get("message", error))
            if error is not None:
                return str(error)
        return str(self.body)

    def to_response(self) -> Response:
        """Return the HTTP answer."""
        if self.plain_text:
            return PlainTextResponse(self.message, status_code=self.status, headers=self.headers)
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def not_found() -> StandInError:
    """Return the router's 404: plain text ``Not Found``, not JSON."""
    return StandInError(404, NOT_FOUND_BODY)


def repo_not_found(repo_id: str) -> StandInError:
    """Return the Hub's 404 for an unknown repository, with ``X-Error-Code: RepoNotFound``.

    huggingface_hub (utils/_http.py, ``hf_raise_for_status``) reads that header and raises
    ``RepositoryNotFoundError``. (Its comments note that the real Hub may answer 401 instead
    to a request without a token, so as not to reveal private repositories.)
    """
    return StandInError(
        404,
        {"error": "Repository not found"},
        {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"},
    )


def validation_error(message: str, status: int = 422) -> StandInError:
    """Return TGI's validation answer: ``{"error": "Input validation error: …"}``."""
    return StandInError(
        status, {"error": f"Input validation error: {message}", "error_type": "validation"}
    )


def body_error(status: int, message: str) -> StandInError:
    """Return one of TGI's JSON-extractor rejections: plain text, as axum 0.7 sends them.

    axum's ``Json`` extractor (axum 0.7, which TGI's router uses, ``extract/rejection.rs``):
    415 ``Expected request with `Content-Type: application/json```, 400 ``Failed to parse the
    request body as JSON: …``, 422 ``Failed to deserialize the JSON body into the target
    type: …``, and 413 ``Failed to buffer the request body: length limit exceeded`` past TGI's
    ``DefaultBodyLimit`` (router/src/server.rs at db931fcf).
    """
    return StandInError(status, {"error": message}, plain_text=True)


def bad_json(message: str) -> StandInError:
    """Return the 400 for a body that is not JSON at all (axum's ``JsonSyntaxError``)."""
    return body_error(400, f"Failed to parse the request body as JSON: {message}")


def json_data_error(message: str) -> StandInError:
    """Return the 422 for JSON that does not fit the route's body (axum's ``JsonDataError``)."""
    return body_error(422, f"Failed to deserialize the JSON body into the target type: {message}")


async def handle_stand_in_error(request: Request, exc: StandInError) -> Response:
    """Render a StandInError (registered as an exception handler)."""
    return exc.to_response()
