"""Error answers with the real service's bodies and status codes (hf-api-facts.md §4)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ..contract import NOT_FOUND_BODY

STAND_IN_VALUE = "helpers.standin; text from a small n-gram model, not from a real model"


class StandInError(Exception):
    """An error answer: status, body (a dict for JSON, a str for plain text), headers."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None):
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}

    def to_response(self) -> Response:
        if isinstance(self.body, str):
            return PlainTextResponse(self.body, status_code=self.status, headers=self.headers)
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def not_found() -> StandInError:
    """Return the router's 404: plain text ``Not Found``, not JSON."""
    return StandInError(404, NOT_FOUND_BODY)


def validation_error(message: str, status: int = 422) -> StandInError:
    """Return TGI's validation answer: ``{"error": "Input validation error: …"}``."""
    return StandInError(
        status, {"error": f"Input validation error: {message}", "error_type": "validation"}
    )


def bad_json(message: str) -> StandInError:
    """Return a 400 for a body that is not JSON at all."""
    return StandInError(
        400,
        {
            "error": f"Failed to parse the request body as JSON: {message}",
        },
    )


async def handle_stand_in_error(request: Request, exc: StandInError) -> Response:
    """Render a StandInError (registered as an exception handler)."""
    return exc.to_response()
