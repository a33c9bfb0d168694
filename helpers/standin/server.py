"""Running the stand-in: in-process on a free port (notebooks, tests) or in the foreground."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

import uvicorn

from .app import create_app
from .options import StandInOptions


class StandIn:
    """A stand-in served by uvicorn in a background thread: use ``url``, then ``stop()``."""

    def __init__(
        self,
        options: StandInOptions,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.options = options
        self._socket = socket.create_server((host, port))
        # Without TCP_NODELAY keep-alive answers wait ~40 ms for a delayed ACK (Nagle).
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host, self.port = self._socket.getsockname()[:2]
        self.app = create_app(options, clock=clock)
        """The FastAPI app served (its ``state.usage`` counts windows, credits and answers)."""
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        """Return the base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Return True while the server thread serves."""
        return self._thread.is_alive()

    def _start(self, timeout: float = 10.0) -> StandIn:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self.running or time.monotonic() > deadline:
                raise RuntimeError(f"The stand-in did not start on {self.url}.")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and free the port. Safe to call twice."""
        if self.running:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<StandIn {self.url} {'running' if self.running else 'stopped'}>"


def start(
    options: StandInOptions | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    **knobs: Any,
) -> StandIn:
    """Start a stand-in in this process on a free loopback port and return it.

    Knobs are StandInOptions' fields, named as the command line's flags (``start(cold_start_s=2)``
    ↔ ``--cold-start-s 2``); ``clock`` times rate-limit windows and cold starts.
    """
    unknown = sorted(set(knobs) - {f.name for f in fields(StandInOptions)})
    if unknown:
        known = sorted(f.name for f in fields(StandInOptions))
        raise TypeError(f"unknown stand-in knob(s) {unknown}; the knobs are {known}")
    # Without options, build them anew so that the profile fills the knobs left out.
    options = replace(options, **knobs) if options else StandInOptions(**knobs)
    return StandIn(options, clock=clock)._start()


def bind(host: str, port: int) -> socket.socket:
    """Return a listening socket on ``host``:``port`` (0: a free one), before anything is printed."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family)


def serve_forever(options: StandInOptions, sock: socket.socket) -> None:
    """Serve on the bound ``sock`` in the foreground until Ctrl-C (no access log: it costs ~10 %)."""
    uvicorn.Server(uvicorn.Config(create_app(options), access_log=False)).run(sockets=[sock])


class SilentListener:
    """A loopback port that listens but never accepts: connecting to it times out.

    Its accept queue is filled at once, so the kernel drops further connection attempts (the
    error demos' *connect* timeout, without touching any other machine).
    """

    def __init__(self, fillers: int = 4) -> None:
        self._server = socket.create_server(("127.0.0.1", 0), backlog=0)
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._fillers = [socket.socket() for _ in range(fillers)]
        for s in self._fillers:
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # the connection completes later
                s.connect(("127.0.0.1", self.port))
        time.sleep(0.1)

    def close(self) -> None:
        """Close every socket."""
        for s in [*self._fillers, self._server]:
            s.close()

    def __enter__(self) -> SilentListener:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
