"""Wire details every JSON route shares (``body.read_json``), as TGI's router answers them.

TGI's router reads bodies with axum 0.7's ``Json`` extractor behind
``DefaultBodyLimit::max(payload_limit)`` (2 MB by default): 415 without a JSON Content-Type,
413 past the limit, 400 for bytes that are not JSON, all in plain text.
"""

from __future__ import annotations

import socket

import pytest

from helpers.contract import MAX_BODY_BYTES

JSON = {"Content-Type": "application/json"}
CLASSIC_ROUTES = [
    "/models/gpt2",
    "/hf-inference/models/openai-community/gpt2",
    "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction",
]
ALL_JSON_ROUTES = [*CLASSIC_ROUTES, "/v1/chat/completions"]


def post_raw(api, auth, path, raw: bytes, content_type: str | None = "application/json"):
    headers = dict(auth)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return api.post(path, content=raw, headers=headers)


@pytest.mark.parametrize("path", CLASSIC_ROUTES)
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_declared_json_is_415_in_plain_text(api, auth, path, content_type):
    response = post_raw(api, auth, path, b'{"inputs": "x"}', content_type)
    assert response.status_code == 415
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Expected request with `Content-Type: application/json`"


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "application/vnd.api+json", "APPLICATION/JSON"],
)
def test_json_content_types_with_parameters_or_suffix_are_accepted(api, auth, content_type):
    response = post_raw(api, auth, "/models/gpt2", b'{"inputs": "Hello"}', content_type)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"{not json", "syntax"),
        (b"", "empty"),
        (b"   ", "blank"),
        (b'{"inputs": "\xff\xfe"}', "invalid UTF-8"),
        (b"[" * 10_000 + b"]" * 10_000, "nested 10,000 deep (RecursionError, not ValueError)"),
        (b'{"inputs": ' * 10_000 + b"1" + b"}" * 10_000, "objects nested 10,000 deep"),
    ],
)
@pytest.mark.parametrize("path", CLASSIC_ROUTES)
def test_bytes_that_are_not_json_are_400_in_plain_text(api, auth, path, raw, why):
    response = post_raw(api, auth, path, raw)
    assert response.status_code == 400, why
    assert response.text.startswith("Failed to parse the request body as JSON: "), why


NOT_NUMBERS = [
    b'{"inputs": "Hi", "parameters": {"temperature": NaN}}',
    b'{"inputs": "Hi", "parameters": {"top_p": Infinity}}',
    b'{"inputs": ["Hi", -Infinity]}',
    b'{"model": "openai/gpt-oss-120b", "messages": [{"role": "user", "content": "Hi"}], '
    b'"temperature": NaN}',
    b'{"inputs": "Hi", "parameters": {"extra": {"deep": [1, 2, NaN]}}}',
]


@pytest.mark.parametrize("path", ALL_JSON_ROUTES)
@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_nan_or_infinity_anywhere_is_400_never_500(api, auth, path, raw):
    """Python's json reads NaN and Infinity, serde_json does not: a syntax error (400) on every
    JSON route, wherever it sits (catches a 500 from code that meets a float('nan'))."""
    response = post_raw(api, auth, path, raw)
    assert response.status_code == 400, response.text
    message = "Failed to parse the request body as JSON: expected value, not "
    if path.startswith("/v1/"):  # the OpenAI surface wraps it in its own envelope
        assert response.json()["error"]["message"].startswith(message)
    else:
        assert response.text.startswith(message)


def test_nan_inside_a_string_is_just_text(api, auth):
    body = b'{"inputs": "NaN or -Infinity \\" NaN", "parameters": {"max_new_tokens": 2}}'
    assert post_raw(api, auth, "/models/gpt2", body).status_code == 200


@pytest.mark.parametrize("path", ALL_JSON_ROUTES)
@pytest.mark.parametrize(
    "raw",
    [
        *(b"[" * 10_000 + b"]" * 10_000, b"\xff\xfe\x00", b"", b"1" * 5000, b"{}" * 3),
        b'{"inputs": "x", "parameters": {"temperature": 1e400}}',  # Python reads inf
    ],
)
def test_hostile_bodies_never_answer_5xx_on_any_json_route(api, auth, path, raw):
    response = post_raw(api, auth, path, raw)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("path", ALL_JSON_ROUTES)
def test_a_body_over_the_limit_is_413(api, auth, path):
    raw = b'{"inputs": "' + b"a" * MAX_BODY_BYTES + b'"}'
    response = post_raw(api, auth, path, raw)
    assert response.status_code == 413
    if path in CLASSIC_ROUTES:  # the router's OpenAI route wraps it in OpenAI's envelope
        assert response.text == "Failed to buffer the request body: length limit exceeded"


def test_a_body_just_under_the_limit_is_read(api, auth):
    raw = b'{"inputs": "' + b"a" * (MAX_BODY_BYTES - 100) + b'", "parameters": 1}'
    response = post_raw(api, auth, "/models/gpt2", raw)
    assert response.status_code == 422  # read and parsed: the error is about `parameters`


def _answer_without_sending_the_body(stand_in, token: str, head_extra: str, first: bytes) -> bytes:
    """Send headers and the first bytes of a huge body, then wait for the answer."""
    with socket.create_connection((stand_in.host, stand_in.port), timeout=5) as s:
        s.sendall(
            (
                "POST /models/gpt2 HTTP/1.1\r\n"
                f"Host: {stand_in.host}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\n{head_extra}\r\n"
            ).encode()
            + first
        )
        return s.recv(4096)  # a timeout here means the server waited for the rest


def test_413_is_answered_from_content_length_before_the_body_arrives(stand_in, token):
    answer = _answer_without_sending_the_body(
        stand_in, token, f"Content-Length: {50 * MAX_BODY_BYTES}\r\n", b'{"inputs": "'
    )
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_chunked_body_is_cut_at_the_limit_without_reading_the_rest(stand_in, token):
    chunk = b"a" * 65536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40))  # 2.6 MB
    answer = _answer_without_sending_the_body(
        stand_in, token, "Transfer-Encoding: chunked\r\n", b'c\r\n{"inputs": "\r\n' + chunks
    )
    assert answer.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/whoami-v2", "GET"),
        ("PUT", "/api/tasks", "GET"),
        ("GET", "/v1/chat/completions", "POST"),
    ],
)
def test_405_carries_allow(api, method, path, allowed):
    response = api.request(method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed


LONE_SURROGATES = [
    b'{"inputs": "\\ud800 hi"}',
    b'{"inputs": "hi \\udc00"}',
    b'{"inputs": "\\uD83D\\u0041"}',
    b'{"inputs": "x",\n "\\ud800": 1}',
    b'{"inputs": ["ok", {"deep": "\\udbff"}]}',
]
"""Bodies with half a surrogate pair (serde_json refuses them)."""
SERVED_IN_BOTH_PROFILES = [
    "/hf-inference/models/distilbert/distilbert-base-uncased-finetuned-sst-2-english",
    "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction",
    "/v1/chat/completions",
    "/endpoints/gpt2",
    "/endpoints/gpt2/v1/completions",
    "/endpoints/gpt2/v1/chat/completions",
]
SURROGATE_CASES = [
    *[
        ("teaching", path, LONE_SURROGATES[0])
        for path in [*SERVED_IN_BOTH_PROFILES, *CLASSIC_ROUTES]
    ],
    *[("today", path, LONE_SURROGATES[0]) for path in SERVED_IN_BOTH_PROFILES],
    *[("teaching", "/models/gpt2", raw) for raw in LONE_SURROGATES[1:]],
]
"""Every route with one body, every body on one route."""


@pytest.mark.parametrize(("profile", "path", "raw"), SURROGATE_CASES)
def test_a_lone_surrogate_escape_is_400_like_invalid_utf8(make_api, auth, profile, path, raw):
    """Catches the 500 (UnicodeEncodeError: surrogates not allowed) that a ``\\ud800`` escape
    caused once decoded: serde_json refuses it, so TGI's router answers 400 (serde_json adds
    the position; the stand-in does not)."""
    response = post_raw(make_api(profile=profile), auth, path, raw)
    assert response.status_code == 400, response.text
    message = "Failed to parse the request body as JSON: lone leading surrogate in hex escape"
    if path.startswith("/v1/"):  # the router's OpenAI route: OpenAI's envelope
        assert response.json()["error"]["message"].startswith(message)
    else:
        assert response.text.startswith(message)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"inputs": "\\ud83d\\ude00 and \\\\ud800 (an escaped backslash, then text)"}',
        b'{"inputs": "\\"\\ud800\\"", "parameters": {"max_new_tokens": 2}}'.replace(
            b"\\ud800", b"\\ud83d\\ude00"
        ),
    ],
)
def test_surrogate_pairs_and_escaped_backslashes_are_fine(api, auth, raw):
    assert post_raw(api, auth, "/models/gpt2", raw).status_code == 200


@pytest.mark.parametrize("path", [*ALL_JSON_ROUTES, "/endpoints/gpt2"])
def test_a_client_gone_mid_body_raises_nothing_out_of_the_app(token, path):
    """Catches the "Exception in ASGI application ... ClientDisconnect" traceback uvicorn logged
    (about 70 lines) for every client that closed its socket in the middle of a body: the app
    must finish the request itself instead of letting ``ClientDisconnect`` escape."""
    import asyncio

    from helpers.standin import create_app

    app = create_app()
    events = iter(
        [
            {"type": "http.request", "body": b'{"inputs": "He', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[dict] = []

    async def receive() -> dict:
        return next(events, {"type": "http.disconnect"})

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", b"1000"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 18001),
    }
    asyncio.run(app(scope, receive, send))  # raised ClientDisconnect before the fix
    assert sent[0]["type"] == "http.response.start"
    assert sent[0]["status"] < 500
