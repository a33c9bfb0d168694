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
    """A stand-in served by uvicorn in a background thread. Use ``url``; call ``stop()``.

    >>> with start() as api:          # doctest: +SKIP
    ...     requests.get(api.url + "/api/models/gpt2").json()["id"]
    'openai-community/gpt2'
    """

    def __init__(
        self,
        options: StandInOptions,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.options = options
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this: without it, keep-alive answers wait ~40 ms
        # for a delayed ACK (Nagle), and a reused Session looks slower than new connections.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        self.app = create_app(options, clock=clock)
        """The FastAPI app served (its ``state.usage`` counts windows and credits)."""
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            daemon=True,
            name=f"stand-in:{self.port}",
        )

    @property
    def url(self) -> str:
        """Return the base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    def _start(self, timeout: float = 10.0) -> StandIn:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The stand-in did not start on {self.url}.")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and free the port. Safe to call twice."""
        if self._thread.is_alive():
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._socket.close()

    @property
    def running(self) -> bool:
        """Return True while the server thread serves."""
        return self._thread.is_alive()

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<StandIn {self.url} {state}>"


def start(
    options: StandInOptions | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    **knobs: Any,
) -> StandIn:
    """Start a stand-in in this process on a free loopback port and return it.

    Knobs are the fields of StandInOptions, named as the command line's flags are
    (``start(cold_start_s=2)`` ↔ ``--cold-start-s 2``), e.g. ``start(profile="today")`` ↔
    ``--profile today`` (what the references say the real service does now).
    ``clock`` times rate-limit windows and cold starts (tests inject a fake one).
    """
    known = {f.name for f in fields(StandInOptions)}
    unknown = sorted(set(knobs) - known)
    if unknown:
        raise TypeError(f"unknown stand-in knob(s) {unknown}; the knobs are {sorted(known)}")
    # Without options, build them anew so that the profile fills the knobs left out.
    options = replace(options, **knobs) if options else StandInOptions(**knobs)
    return StandIn(options, clock=clock)._start()


def bind(host: str, port: int) -> socket.socket:
    """Return a listening socket on ``host``:``port`` (port 0: a free one); OSError if not.

    Binding before anything is printed lets the workshop command say "port N is in use" instead
    of announcing a URL that then fails with Errno 98.
    """
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family)  # SO_REUSEADDR on POSIX


def serve_forever(options: StandInOptions, sock: socket.socket) -> None:
    """Serve on the bound ``sock`` in the foreground until Ctrl-C (the workshop command)."""
    # No access log: one line per request costs the room ~10 % of its throughput, and the
    # room's errors still reach the terminal at warning level.
    config = uvicorn.Config(create_app(options), log_level="info", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


class SilentListener:
    """A loopback port that listens but never accepts: connecting to it times out.

    Its accept queue is filled at once, so the kernel drops further connection attempts; the
    error demos use it to show a *connect* timeout without touching any other machine.
    """

    def __init__(self, fillers: int = 4) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(0)
        self.port = self._server.getsockname()[1]
        self._fillers = []
        for _ in range(fillers):
            s = socket.socket()
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # the connection completes later
                s.connect(("127.0.0.1", self.port))
            self._fillers.append(s)
        time.sleep(0.1)

    @property
    def url(self) -> str:
        """Return the listener's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        """Close every socket."""
        for s in self._fillers:
            s.close()
        self._server.close()

    def __enter__(self) -> SilentListener:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
