"""helpers.client.sse: both stream formats, keep-alive comments, error events."""

from __future__ import annotations

import pytest

from helpers.client.errors import APIError, StreamError
from helpers.client.sse import iter_events

TGI = [
    'data:{"index":1,"token":{"id":5,"text":" Hello","special":false},"generated_text":null}',
    "",
    ": keep-alive",
    'data:{"index":2,"token":{"id":0,"text":"","special":true},"generated_text":"Hi Hello",'
    '"details":{"finish_reason":"eos_token"}}',
]
OPENAI = [
    'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}',
    "event: message",
    'data: {"choices":[{"index":0,"delta":{"content":"lo"}}]}',
    "data: [DONE]",
    'data: {"never": "read"}',
]


def test_tgi_stream_has_no_done_and_ends_with_details():
    events = list(iter_events(TGI))
    assert [e["token"]["text"] for e in events] == [" Hello", ""]
    assert events[-1]["details"]["finish_reason"] == "eos_token"


def test_openai_stream_stops_at_done():
    events = list(iter_events(OPENAI))
    assert "".join(e["choices"][0]["delta"]["content"] for e in events) == "Hello"


def test_bytes_and_crlf_lines_are_read():
    assert list(iter_events([b'data: {"a": 1}\r\n', b": ping\r\n"])) == [{"a": 1}]


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        (
            'data:{"error":"Request failed during generation","error_type":"generation"}',
            "generation",
        ),
        ('data: {"error":{"message":"boom","type":"server_error"}}', "server_error"),
    ],
)
def test_an_error_event_stops_the_stream_with_a_stream_error(event, kind):
    received = []
    with pytest.raises(StreamError) as info:
        for item in iter_events(['data:{"token":{"text":"a"}}', event, 'data:{"b":1}']):
            received.append(item)
    assert info.value.status is None and info.value.error_type == kind  # no status invented
    assert len(received) == 1


@pytest.mark.parametrize("line", ["data: {not json", "data: [1, 2]", 'data: "text"'])
def test_malformed_events_are_api_errors(line):
    with pytest.raises(APIError, match="not a JSON object"):
        list(iter_events([line]))
