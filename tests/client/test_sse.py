"""helpers.client.sse: both stream formats, keep-alive comments, error events, broken streams."""

from __future__ import annotations

import pytest
import requests

from helpers import ConnectionFailedError, InferenceSession, ServerError, UnexpectedResponseError
from helpers.client.errors import (
    GenerationError,
    OverloadedError,
    RateLimitError,
    StreamError,
    StreamValidationError,
    ValidationError,
)
from helpers.client.sse import (
    completion_texts,
    data_lines,
    iter_events,
    openai_delta_texts,
    tgi_token_texts,
)
from helpers.standin import start

TGI = [
    'data:{"index":1,"token":{"id":5,"text":" Hello","logprob":-0.1,"special":false},"generated_text":null,"details":null}',
    "",
    ": keep-alive",
    "",
    'data:{"index":2,"token":{"id":0,"text":"","logprob":-0.2,"special":true},"generated_text":"Hi Hello","details":{"finish_reason":"eos_token"}}',
    "",
]
OPENAI = [
    'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
    "",
    'data: {"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}',
    "event: message",
    'data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}',
    'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
    'data: {"choices":[],"usage":{"total_tokens":3}}',
    "data: [DONE]",
    'data: {"never": "read"}',
]


def test_tgi_stream_has_no_done_and_ends_with_details():
    events = list(iter_events(TGI))
    assert len(events) == 2
    assert events[-1]["details"]["finish_reason"] == "eos_token"
    assert list(tgi_token_texts(events)) == [" Hello"]


def test_openai_stream_stops_at_done():
    events = list(iter_events(OPENAI))
    assert len(events) == 5
    assert "".join(openai_delta_texts(events)) == "Hello"


def test_bytes_and_crlf_lines_are_read():
    assert list(data_lines([b'data: {"a": 1}\r\n', b": ping\r\n"])) == ['{"a": 1}']


@pytest.mark.parametrize(
    ("event", "cls", "also"),
    [
        (
            'data:{"error":"Request failed during generation","error_type":"generation"}',
            GenerationError,
            ServerError,
        ),
        (
            'data:{"error":"Model is overloaded","error_type":"overloaded"}',
            OverloadedError,
            RateLimitError,
        ),
        ('data:{"error":"bad","error_type":"validation"}', StreamValidationError, ValidationError),
        ('data: {"error":{"message":"boom","type":"server_error"}}', StreamError, StreamError),
    ],
)
def test_error_events_become_the_exception_their_type_names(event, cls, also):
    received = []
    with pytest.raises(cls) as info:
        for item in iter_events(
            ['data:{"token":{"text":"a"}}', event, 'data:{"token":{"text":"b"}}']
        ):
            received.append(item)
    assert isinstance(info.value, also)  # retry code written for 429/5xx still catches it
    assert info.value.status is None  # no HTTP status is invented after a 200
    assert len(received) == 1


def test_completion_texts_read_openai_completion_chunks():
    events = list(
        iter_events(
            [
                'data: {"choices":[{"index":0,"text":" Hel","finish_reason":null}]}',
                'data: {"choices":[{"index":0,"text":"lo","finish_reason":"length"}]}',
                "data: [DONE]",
            ]
        )
    )
    assert "".join(completion_texts(events)) == " Hello"


@pytest.mark.parametrize("line", ["data: {not json", "data: [1, 2]", 'data: "text"'])
def test_malformed_events_are_unexpected_responses(line):
    with pytest.raises(UnexpectedResponseError):
        list(iter_events([line]))


def test_error_event_mid_stream_from_the_stand_in(token):
    with start(stream_error_after_tokens=2) as api:
        received = []
        with pytest.raises(GenerationError, match="during the stream"):
            for event in InferenceSession(token).stream_text_generation(
                api.url + "/models/gpt2", "The robot", max_new_tokens=6
            ):
                received.append(event)
    assert len(received) == 2


def test_broken_connection_mid_stream_is_connection_failed(token, monkeypatch):
    def broken_lines(self, *args, **kwargs):
        yield 'data:{"token":{"text":" a","special":false}}'
        raise requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")

    monkeypatch.setattr(requests.Response, "iter_lines", broken_lines)
    with start() as api, pytest.raises(ConnectionFailedError, match="stream .* broke"):
        list(InferenceSession(token).stream_text_generation(api.url + "/models/gpt2", "Hi"))
