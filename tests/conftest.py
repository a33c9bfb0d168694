"""Shared fixtures: stand-in instances and throw-away tokens. Nothing here reaches the network."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported where used: pytest's controller process loads this file too
    from fastapi.testclient import TestClient

    from helpers.standin import StandIn, StandInOptions

NOTEBOOK_TESTS = Path(__file__).parent / "notebooks"
UNPACED = {"stream_delay_ms": 0}
"""The fixtures' stand-ins stream at once (the teaching profile paces streams by 25 ms a token)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schedule the long items first: tests marked ``slow``, then the tests that execute
    notebooks (tests/notebooks/: a browser, live rehearsals), then the notebooks (nbmake).

    With two workers the suite ends when the later one does; a long item started last keeps
    one worker busy while the other idles. The tests that read a notebook's live run come
    together, notebook by notebook (the checks that need every run last): a worker then
    executes a run and checks it at once, instead of waiting on the lock of a run the other
    worker is executing. The sort is stable, so every xdist worker sees the same order.
    """

    def rank(item: pytest.Item) -> tuple[int, str]:
        if item.get_closest_marker("slow"):
            return 0, ""
        if NOTEBOOK_TESTS in item.path.parents:
            if "live_run" not in getattr(item, "fixturenames", ()):
                return 1, "~~"  # after the live runs' groups
            params = getattr(getattr(item, "callspec", None), "params", {})
            path = params.get("path")
            return 1, path.stem if isinstance(path, Path) else "~"
        return (2, "") if item.path.suffix == ".ipynb" else (3, "")

    items.sort(key=rank)


@pytest.fixture(scope="session")
def stand_in() -> Iterator[StandIn]:
    """A stand-in with default knobs (streams unpaced), shared by the whole session."""
    from helpers.standin import start

    with start(**UNPACED) as api:
        yield api


@pytest.fixture(scope="session")
def api() -> Iterator[TestClient]:
    """The stand-in with default knobs (streams unpaced), in process (no socket)."""
    from fastapi.testclient import TestClient

    from helpers.standin import StandInOptions, create_app

    app = create_app(StandInOptions(**UNPACED))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def make_api() -> Iterator[Callable[..., TestClient]]:
    """A factory: ``make_api(rate_limit="2/60", clock=fake)`` returns an in-process stand-in.

    Keyword arguments are ``StandInOptions`` fields, or pass ``options=StandInOptions(...)``;
    ``clock`` is handed to ``create_app`` (for rate limits and cold starts without sleeps).
    Streams are unpaced unless ``stream_delay_ms`` is given. Every client made is closed when
    the test ends.
    """
    from fastapi.testclient import TestClient

    from helpers.standin import StandInOptions, create_app

    made: list[TestClient] = []

    def make(
        options: StandInOptions | None = None, *, clock: Callable[[], float] | None = None, **knobs
    ) -> TestClient:
        if options is not None and knobs:
            raise TypeError("pass either options= or knobs, not both")
        options = options or StandInOptions(**{**UNPACED, **knobs})
        extra = {} if clock is None else {"clock": clock}
        client = TestClient(create_app(options, **extra), raise_server_exceptions=False)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)


@pytest.fixture
def token() -> str:
    """A fresh well-formed token the stand-in accepts."""
    from helpers import local_token

    return local_token()


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def post(api: TestClient, auth: dict[str, str]):
    """POST ``{"inputs", "parameters"}`` to a path of the in-process stand-in; return the response."""

    def send(path: str, inputs, parameters=None):
        body = {"inputs": inputs, "parameters": parameters or {}}
        return api.post(path, json=body, headers=auth)

    return send


@pytest.fixture
def shared_reference():
    """The folder of the project's research notes, beside the checkout, for cross-checking data.

    Only tests read it; a clone without it skips the cross-check, saying why.
    """
    path = Path(__file__).resolve().parents[2].joinpath("shared", "reference")
    if not (path / "endpoints_pricing.csv").exists():
        pytest.skip(f"the research notes are not beside this checkout ({path})")
    return path


@pytest.fixture
def portal():
    """A captive portal: 200 text/html on every path, whatever the method (a loopback server)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Portal(BaseHTTPRequestHandler):
        def _answer(self):
            body = b"<html><title>Sign in to the Wi-Fi</title></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def environment_as_it_was():
    """Give every test the environment it started with.

    ``connect()`` exports HF_ROUTER_URL, HF_TOKEN, HF_TUTORIAL_MODE... into ``os.environ`` (so
    that snippet cells run in a notebook); without this, a test that connects would leave its
    stand-in's URL and mode behind for the next test in the same worker.
    """
    import os

    from helpers.lessons import connection

    before, last = dict(os.environ), connection.connect.last
    yield
    os.environ.clear()
    os.environ.update(before)
    connection.connect.last = last
