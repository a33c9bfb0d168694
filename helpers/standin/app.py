"""The stand-in app (one FastAPI app per instance, its knobs passed in) and how it runs: in this
process on a free port (``start()``: notebooks, tests) or in the foreground (``serve_forever``).
A plain-ASGI middleware marks every answer with ``X-Stand-In`` and counts it."""

from __future__ import annotations

import contextlib
import functools
import importlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..contract import STAND_IN_HEADER
from .errors import HANDLED, handle
from .options import StandInOptions
from .profiles import Profile, profile_named
from .routes import classic, endpoint, hub, legacy, openai, pipelines, providers
from .schemas import inline_refs
from .state import StandInState
from .textgen import TextGenerator

STAND_IN_VALUE = "helpers.standin; text from a small n-gram model, not from a real model"
OWN_HEADER_PREFIX = "x-standin-"  # headers a profile that marks nothing (today) strips
Clock = Callable[[], float]  # monotonic seconds: rate-limit windows and cold starts
shared_generator = functools.cache(TextGenerator)  # the corpus is read once per process


def mark_stand_in(app: ASGIApp, profile: Profile, usage: StandInState) -> ASGIApp:
    """Wrap ``app`` so every answer carries ``X-Stand-In`` and an ``x-request-id``, and is counted."""

    async def marked(scope: Scope, receive: Receive, send: Send) -> None:
        async def marked_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name in [] if profile.marks_stand_in else list(headers.keys()):
                    if name.startswith(OWN_HEADER_PREFIX):
                        del headers[name]
                headers[STAND_IN_HEADER] = STAND_IN_VALUE
                headers.setdefault("x-request-id", profile.request_id())
                usage.record_answer(scope["method"], scope["path"], message["status"])
            await send(message)

        await app(scope, receive, marked_send if scope["type"] == "http" else send)

    return marked


def create_app(options: StandInOptions | None = None, *, clock: Clock = time.monotonic) -> FastAPI:
    """Return a stand-in app with the given knobs; ``clock`` times rate-limit windows and cold
    starts (tests pass a fake)."""
    app: FastAPI = FastAPIOffline(  # /docs without a CDN: it works in a room without internet
        title="Local stand-in of the Hugging Face inference API",
        description="Speaks the HTTP contracts of the real service, offline. "
        "Its text comes from a small n-gram model, not from a real model.",
        version="1",
        exception_handlers=dict.fromkeys(HANDLED, handle),
    )
    app.state.options = options = options or StandInOptions()
    app.state.profile = profile_named(options.profile)
    app.state.usage = StandInState(options, clock=clock)
    app.state.generator = shared_generator()
    if options.rate_limit:  # pay openai's import now: a cold first answer outlasted a 0.5 s window
        importlib.import_module("openai.types.chat")  # deferred otherwise: see serving/__init__
    app.add_middleware(mark_stand_in, profile=app.state.profile, usage=app.state.usage)
    for module in (endpoint, legacy, hub, openai, pipelines, classic, providers):
        app.include_router(module.router)  # classic's {id:path} and providers' catch-all last
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:  # FastAPI's document, pydantic's #/$defs/ in bodies inlined
        if app.openapi_schema is None:
            for path in build_openapi()["paths"].values():
                for operation in path.values():
                    for media in operation.get("requestBody", {}).get("content", {}).values():
                        media["schema"] = inline_refs(media["schema"])
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


class StandIn(contextlib.AbstractContextManager):
    """A stand-in served by uvicorn in a background thread, started at once: ``url``, ``stop()``."""

    def __init__(self, options: StandInOptions, *, clock: Clock = time.monotonic):
        self.options = options
        self._socket = socket.create_server(("127.0.0.1", 0))
        # Without TCP_NODELAY keep-alive answers wait ~40 ms for a delayed ACK (Nagle).
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host, self.port = self._socket.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.app = create_app(options, clock=clock)
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, args=[[self._socket]], daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self.running or time.monotonic() > deadline:
                raise RuntimeError(f"The stand-in did not start on {self.url}.")
            time.sleep(0.01)

    @property
    def running(self) -> bool:
        """Return True while the server thread serves."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop serving and free the port. Safe to call twice."""
        if self.running:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._socket.close()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start(
    options: StandInOptions | None = None, *, clock: Clock = time.monotonic, **knobs: Any
) -> StandIn:
    """Start a stand-in in this process on a free loopback port and return it; the knobs are
    StandInOptions' fields (``start(cold_start_s=2)`` is ``--cold-start-s 2``)."""
    known = sorted(f.name for f in fields(StandInOptions))
    if unknown := sorted(set(knobs) - set(known)):
        raise TypeError(f"unknown stand-in knob(s) {unknown}; the knobs are {known}")
    options = replace(options, **knobs) if options else StandInOptions(**knobs)
    return StandIn(options, clock=clock)


def bind(host: str, port: int) -> socket.socket:
    """Return a listening socket on ``host``:``port`` (0: a free one), before anything is printed."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family)


def serve_forever(options: StandInOptions, sock: socket.socket) -> None:
    """Serve on the bound ``sock`` in the foreground until Ctrl-C (no access log: it costs ~10 %)."""
    uvicorn.Server(uvicorn.Config(create_app(options), access_log=False)).run(sockets=[sock])


class SilentListener(contextlib.AbstractContextManager):
    """A loopback port whose accept queue is full, so connecting to it times out (the error
    demos' *connect* timeout, without touching any other machine)."""

    def __init__(self, fillers: int = 4) -> None:
        self._sockets = [socket.create_server(("127.0.0.1", 0), backlog=0)]
        address = self._sockets[0].getsockname()
        self.url = f"http://127.0.0.1:{address[1]}"
        for _ in range(fillers):
            self._sockets.append(filler := socket.socket())
            filler.setblocking(False)
            filler.connect_ex(address)  # completes later, or waits in the full queue
        time.sleep(0.1)

    def __exit__(self, *exc: Any) -> None:
        for s in self._sockets:
            s.close()
