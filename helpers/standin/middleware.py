"""ASGI middleware of the stand-in: every answer says where it comes from."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..contract import LEGACY_PREFIX, STAND_IN_HEADER
from .profiles import PROFILES, Profile

STAND_IN_VALUE = "helpers.standin; text from a small n-gram model, not from a real model"
OWN_HEADER_PREFIX = "x-standin-"
"""Headers only the stand-in sends; the today profile sends none of them."""
MAX_REQUEST_HEADERS = 100
"""hyper, the HTTP server under TGI's router (axum), parses at most 100 request headers and
answers 431 past that (hyper ``src/proto/h1/role.rs``, ``MAX_HEADERS``)."""
TOO_MANY_HEADERS = b"Request Header Fields Too Large: at most 100 headers"


class MarkStandIn:
    """Adds ``X-Stand-In`` and an ``x-request-id`` to every answer, and counts it.

    Under a profile that marks nothing else (``today``), it also removes the stand-in's own
    ``x-standin-*`` headers, whichever route set them, and request ids look ordinary.
    Plain ASGI rather than ``@app.middleware``, so that streamed bodies pass through untouched
    (and a deliberately broken one really breaks the connection).
    """

    def __init__(self, app: ASGIApp, profile: Profile = PROFILES["teaching"]) -> None:
        self.app = app
        self.profile = profile

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope["headers"]) > MAX_REQUEST_HEADERS and not scope["path"].startswith(
            LEGACY_PREFIX  # the retired host is another server: 410 for everything
        ):  # refused before any route runs
            headers = [(b"content-type", b"text/plain; charset=utf-8")]
            await self._send_marked(send, 431, headers, TOO_MANY_HEADERS)
            return

        async def marked_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not self.profile.marks_stand_in:
                    for name in {k for k in headers if k.startswith(OWN_HEADER_PREFIX)}:
                        del headers[name]
                headers[STAND_IN_HEADER] = STAND_IN_VALUE
                if "x-request-id" not in headers:
                    headers["x-request-id"] = self.profile.request_id()
                usage = getattr(getattr(scope.get("app"), "state", None), "usage", None)
                if usage is not None:
                    usage.record_answer(scope["method"], scope["path"], message["status"])
            await send(message)

        await self.app(scope, receive, marked_send)

    async def _send_marked(
        self, send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        marked = MutableHeaders(raw=list(headers))
        marked[STAND_IN_HEADER] = STAND_IN_VALUE
        marked["x-request-id"] = self.profile.request_id()
        marked["content-length"] = str(len(body))
        await send({"type": "http.response.start", "status": status, "headers": marked.raw})
        await send({"type": "http.response.body", "body": body})
