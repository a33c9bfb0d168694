"""ASGI middleware of the stand-in: every answer says where it comes from."""

from __future__ import annotations

import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..contract import STAND_IN_HEADER
from .responses import STAND_IN_VALUE


class MarkStandIn:
    """Adds ``X-Stand-In`` and an ``x-request-id`` to every answer.

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
