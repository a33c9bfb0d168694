"""Hostile input against a real stand-in over sockets: every abuse gets a clear 4xx or a closed
connection, quickly, and the server answers a normal request right after.

What each test catches:
- a body declared or streamed past the 2 MB limit read to the end before the 413 (a learner's
  2 GB file held in memory), or answered 400/500;
- slow clients (a byte at a time) that block the event loop for everyone else;
- thousands of headers accepted and processed at length (one request stalls the room);
- invalid UTF-8 and 10,000-deep JSON ending in a 500 or a traceback;
- unknown methods answered without ``Allow``;
- any of these leaving the server unable to answer the next learner.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from helpers import local_token
from helpers.contract import MAX_BODY_BYTES
from helpers.standin import StandIn, start

TOKEN = local_token()
AUTH = f"Authorization: Bearer {TOKEN}\r\n"
CLASSIC = "/models/openai-community/gpt2"


@pytest.fixture(scope="module")
def server() -> Iterator[StandIn]:
    """A stand-in of its own: these tests abuse it."""
    with start() as api:
        yield api


def connect(server: StandIn, timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_answer(sock: socket.socket) -> tuple[int | None, dict[str, str], bytes]:
    """Return (status, headers, body) of one answer; status None when the server closed."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None, {}, data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length")
        while length is None or len(body) < int(length):  # no length: the body ends at close
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, body
    except (ConnectionResetError, BrokenPipeError):
        return None, {}, data


def request(
    server: StandIn, method: str, path: str, body: bytes = b"", headers: str = ""
) -> tuple[int | None, dict[str, str], bytes]:
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\n{AUTH}{headers}"
    if body or method == "POST":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    with connect(server) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        return read_answer(sock)


def assert_still_serving(server: StandIn) -> None:
    """The next learner gets an answer, quickly."""
    started = time.monotonic()
    status, _, body = request(
        server, "POST", CLASSIC, b'{"inputs": "Hello", "parameters": {"max_new_tokens": 2}}'
    )
    assert status == 200, body
    assert time.monotonic() - started < 2.0


def assert_clear_refusal(status: int | None, headers: dict[str, str], body: bytes) -> None:
    """A 4xx with a readable message, or a closed connection; never a 5xx or a traceback."""
    if status is None:
        return
    assert 400 <= status < 500, (status, body[:200])
    assert body.strip(), "a refusal says why"
    assert b"Traceback" not in body


def test_a_declared_50_mb_body_gets_413_before_it_is_sent(server):
    head = (
        f"POST {CLASSIC} HTTP/1.1\r\nHost: x\r\n{AUTH}Content-Type: application/json\r\n"
        "Content-Length: 50000000\r\n\r\n"
    )
    started = time.monotonic()
    with connect(server) as sock:
        sock.sendall(head.encode() + b'{"inputs": "' + b"a" * 1000)  # then nothing more
        status, _, body = read_answer(sock)
    assert status == 413, body
    assert b"length limit exceeded" in body
    assert time.monotonic() - started < 2.0  # answered without waiting for 50 MB
    assert_still_serving(server)


def test_a_chunked_body_past_the_limit_is_cut_off_with_413(server):
    head = (
        f"POST {CLASSIC} HTTP/1.1\r\nHost: x\r\n{AUTH}Content-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"a" * 65536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    with connect(server) as sock:
        sock.sendall(head.encode())
        try:
            while sent < 3 * MAX_BODY_BYTES:  # the server may refuse (and close) on the way
                sock.sendall(framed)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, headers, body = read_answer(sock)
    assert status in (413, None), body
    assert_still_serving(server)


def test_slow_clients_do_not_hold_up_the_others(server):
    # Each slow client dribbles its request a byte every 40 ms (a byte a second, sped up).
    whole = f"GET /api/whoami-v2 HTTP/1.1\r\nHost: x\r\n{AUTH}\r\n".encode()
    answers: list[int | None] = []

    def dribble() -> None:
        with connect(server, timeout=10) as sock:
            for byte in whole[:25]:
                sock.sendall(bytes([byte]))
                time.sleep(0.04)
            sock.sendall(whole[25:])
            answers.append(read_answer(sock)[0])

    slow = [threading.Thread(target=dribble) for _ in range(20)]
    for thread in slow:
        thread.start()
    time.sleep(0.1)
    served = []
    while any(t.is_alive() for t in slow) and len(served) < 30:
        started = time.monotonic()
        assert_still_serving(server)
        served.append(time.monotonic() - started)
    for thread in slow:
        thread.join(timeout=10)
    assert len(served) >= 3  # the others were served *while* the slow ones were sending
    assert answers == [200] * 20  # and the slow ones were served too, in the end


def test_a_slow_body_does_not_hold_up_the_others(server):
    body = b'{"inputs": "Hello", "parameters": {"max_new_tokens": 2}}'
    head = (
        f"POST {CLASSIC} HTTP/1.1\r\nHost: x\r\n{AUTH}Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    with connect(server) as sock:
        sock.sendall(head.encode() + body[:10])
        assert_still_serving(server)  # while the body is half sent
        sock.sendall(body[10:])
        assert read_answer(sock)[0] == 200


def test_thousands_of_headers_are_answered_quickly_without_a_5xx(server):
    """The stand-in no longer emulates hyper's 431 past 100 headers: it must just stay well."""
    many = "".join(f"X-Header-{i}: value\r\n" for i in range(5000))
    started = time.monotonic()
    status, headers, body = request(server, "GET", "/api/whoami-v2", headers=many)
    assert status is None or status < 500, (status, body[:200])
    assert time.monotonic() - started < 2.0
    assert_still_serving(server)


def test_a_huge_header_is_refused(server):
    status, headers, body = request(
        server, "GET", "/api/whoami-v2", headers=f"X-Big: {'a' * 200_000}\r\n"
    )
    assert_clear_refusal(status, headers, body)
    assert status != 200
    assert_still_serving(server)


@pytest.mark.parametrize(
    "path", [CLASSIC, "/v1/chat/completions", "/endpoints/gpt2/generate"], ids=str
)
def test_invalid_utf8_gets_a_400_that_says_so(server, path):
    status, headers, body = request(server, "POST", path, b'{"inputs": "caf\xe9 \xff\xfe"}')
    assert status == 400, body
    assert b"UTF-8" in body
    assert_still_serving(server)


@pytest.mark.parametrize(
    "path", [CLASSIC, "/v1/chat/completions", "/endpoints/gpt2/generate"], ids=str
)
@pytest.mark.parametrize("nest", ["[", '{"a":'], ids=["arrays", "objects"])
def test_json_nested_10000_deep_gets_a_400(server, path, nest):
    close = "]" if nest == "[" else "}"
    deep = nest * 10_000 + "1" + close * 10_000
    body = ('{"inputs": "x", "parameters": ' + deep + "}").encode()
    status, headers, body = request(server, "POST", path, body)
    assert status == 400, body[:300]
    assert b"Traceback" not in body
    assert_still_serving(server)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("BREW", CLASSIC, "POST"),
        ("DELETE", "/v1/chat/completions", "POST"),
        ("PUT", "/api/whoami-v2", "GET"),
        ("PATCH", "/endpoints/gpt2/generate", "POST"),
    ],
)
def test_unknown_methods_get_405_with_allow(server, method, path, allowed):
    status, headers, body = request(server, method, path)
    assert status == 405, body
    assert allowed in headers.get("allow", ""), headers
    assert_still_serving(server)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\x01\x02 not http at all\r\n\r\n",
        b"GET /api/whoami-v2 HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /api/whoami-v2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n",
        b"POST /models/gpt2 HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /models/gpt2 HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n",
    ],
    ids=["garbage", "http-9.9", "binary-token", "negative-length", "two-lengths"],
)
def test_malformed_requests_get_a_4xx_or_a_closed_connection(server, raw):
    with connect(server) as sock:
        sock.sendall(raw)
        status, headers, body = read_answer(sock)
    assert_clear_refusal(status, headers, body)
    assert_still_serving(server)
