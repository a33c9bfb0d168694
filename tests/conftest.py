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


LONGEST_FIRST = ("07", "06", "10", "05", "03", "01", "09", "04", "11", "02", "00", "08")
"""Notebook prefixes by the wall time of one run, longest first (07 waits on Retry-After and
pacing, 06 on backoffs, 10 on paced streams; measured 2026-12-02, 12 to 3 s)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schedule the long items first: tests marked ``slow`` (the browser, the set-ups), then
    each notebook's two runs, its live rehearsal and its nbmake run, longest notebook first,
    then the checks that need every live run, then the unit tests.

    The suite ends when its last worker does: a long notebook started last keeps one worker
    busy (mostly waiting) while the others idle. A notebook's live checks come together, so a
    worker executes the run and checks it at once. The sort is stable, so every xdist worker
    sees the same order.
    """

    def notebook_rank(stem: str) -> int:
        return next((i for i, p in enumerate(LONGEST_FIRST) if stem.startswith(p)), 99)

    def rank(item: pytest.Item) -> tuple[int, int, int]:
        if item.get_closest_marker("slow"):
            return 0, 0, 0
        if item.path.suffix == ".ipynb":
            return 1, notebook_rank(item.path.stem), 1
        if NOTEBOOK_TESTS in item.path.parents:
            path = getattr(getattr(item, "callspec", None), "params", {}).get("path")
            if "live_run" in getattr(item, "fixturenames", ()) and isinstance(path, Path):
                return 1, notebook_rank(path.stem), 0
            return 2, 0, 0  # needs every live run, or none
        return 3, 0, 0

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
def html_host() -> Iterator[Callable[[int, str], str]]:
    """A factory: ``html_host(407, "Proxy Authentication Required")`` starts a loopback server
    answering that status with an HTML page on every path and method; returns its URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    servers: list[ThreadingHTTPServer] = []

    def start(status: int, title: str) -> str:
        class Page(BaseHTTPRequestHandler):
            def _answer(self):
                body = f"<html><title>{title}</title></html>".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def portal(html_host) -> str:
    """A captive portal: 200 text/html on every path, whatever the method."""
    return html_host(200, "Sign in to the Wi-Fi")


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
