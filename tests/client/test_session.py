"""helpers.client.session: InferenceSession against canned answers (``responses``, no sockets)."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from helpers import InferenceSession, local_token
from helpers.client.errors import (
    APIError,
    BadRequestError,
    ConfigurationError,
    ConnectionFailedError,
    RequestTimeoutError,
    ServerError,
    StreamError,
)
from helpers.client.session import RETRY_STATUSES, build_payload, make_retry, parse_generation
from helpers.contract import STAND_IN_HEADER

URL = "https://router.example/hf-inference/models/gpt2"
CHAT = "https://router.example/v1/chat/completions"


@pytest.fixture
def session():
    return InferenceSession(local_token(), retries=0)


@responses.activate
def test_text_generation_sends_the_checked_payload_with_the_token_and_reads_the_answer(session):
    responses.post(
        URL,
        json=[{"generated_text": " a dragon", "details": {"finish_reason": "length"}}],
        headers={STAND_IN_HEADER: "1", "x-request-id": "rid"},
    )
    answer = session.text_generation(URL, "Once", max_new_tokens=3, seed=None)
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {session._token}"
    assert answer.payload == {"inputs": "Once", "parameters": {"max_new_tokens": 3}}
    assert (answer.text, answer.finish_reason, answer.request_id) == (" a dragon", "length", "rid")
    assert "stand-in" in answer.answered_by


@responses.activate
def test_a_provider_header_names_who_answered(session):
    responses.post(URL, json={"generated_text": "x"}, headers={"x-inference-provider": "novita"})
    assert session.text_generation(URL, "Hi").answered_by == "router.example (provider novita)"


@responses.activate
def test_a_broken_rule_is_refused_before_anything_is_sent(session):
    with pytest.raises(ConfigurationError) as info:
        session.text_generation(URL, "Hi", temperature=0)
    assert info.value.parameter == "temperature" and "strictly positive" in info.value.message
    assert len(responses.calls) == 0


@responses.activate
def test_an_http_error_carries_the_servers_message_and_request_id(session):
    responses.post(
        URL,
        status=422,
        json={"error": "Input validation error: `top_k` must be strictly positive",
              "error_type": "validation"},
        headers={"x-request-id": "abc"},
    )  # fmt: skip
    with pytest.raises(BadRequestError) as info:
        session.text_generation(URL, "Hi")
    assert info.value.request_id == "abc" and "`top_k`" in info.value.message
    assert info.value.response.status_code == 422


@responses.activate
@pytest.mark.parametrize("body", ["<html>portal</html>", "not json"])
def test_a_success_that_is_not_the_answer_is_an_api_error_with_its_status(session, body):
    responses.post(URL, body=body, status=200)
    with pytest.raises(APIError) as info:
        session.text_generation(URL, "Hi")
    assert info.value.status == 200 and body[:6] in (info.value.body or "")


@pytest.mark.parametrize(
    ("data", "ok"),
    [([{"generated_text": "a"}], True), ({"generated_text": "a"}, True), ([], False),
     ({"error": "x"}, False), ([{"generated_text": 3}], False), ("text", False)],
)  # fmt: skip
def test_parse_generation_accepts_both_forms_and_refuses_the_rest(data, ok):
    if ok:
        assert parse_generation(data)[0] == "a"
    else:
        with pytest.raises(APIError):
            parse_generation(data)


@responses.activate
@pytest.mark.parametrize(
    ("raised", "cls", "said"),
    [
        (requests.exceptions.ConnectionError("[Errno 111] Connection refused"),
         ConnectionFailedError, "Connection refused"),
        (requests.exceptions.ConnectTimeout("x"), RequestTimeoutError, "connect timeout"),
        (requests.exceptions.ReadTimeout("Read timed out"), RequestTimeoutError, "in time"),
    ],
)  # fmt: skip
def test_no_answer_is_a_connection_or_timeout_error_with_a_hint(session, raised, cls, said):
    responses.post(URL, body=raised)
    with pytest.raises(cls) as info:
        session.text_generation(URL, "Hi")
    assert said in info.value.message and info.value.status is None


@responses.activate
def test_a_token_never_travels_over_plain_http_to_another_machine(session):
    with pytest.raises(ConfigurationError, match="Refusing to send a token"):
        session.request("GET", "http://example.com/x")
    assert "hf_" not in repr(session) or "…" in repr(session)


@responses.activate
def test_a_chat_stream_is_read_until_done(session):
    stream = 'data: {"choices": [{"delta": {"content": "He"}}]}\n\ndata: [DONE]\n\n'
    responses.post(CHAT, body=stream, content_type="text/event-stream")
    chunks = session.stream(CHAT, {"model": "m", "messages": []})
    assert [c["choices"][0]["delta"]["content"] for c in chunks] == ["He"]
    assert json.loads(responses.calls[0].request.body)["stream"] is True


@responses.activate
def test_an_error_event_in_a_stream_is_a_stream_error(session):
    stream = 'data:{"token": {"text": "a"}}\n\ndata:{"error": "boom", "error_type": "generation"}\n'
    responses.post(URL, body=stream, content_type="text/event-stream")
    events = session.stream(URL, build_payload("Hi", stream=True, max_new_tokens=2))
    assert next(events)["token"]["text"] == "a"
    with pytest.raises(StreamError) as info:
        next(events)
    assert info.value.error_type == "generation"


@responses.activate
def test_model_providers_reads_both_shapes_of_the_mapping(session):
    hub = "https://hub.example/api"
    responses.get(
        hub + "/models/m",
        json={"inferenceProviderMapping": {"novita": {"status": "live"}}},
    )
    assert session.model_providers(hub, "m") == [{"status": "live", "provider": "novita"}]
    responses.replace(
        responses.GET, hub + "/models/m", json={"inferenceProviderMapping": [{"provider": "x"}]}
    )
    assert session.model_providers(hub, "m") == [{"provider": "x"}]


def test_the_retry_policy_retries_transient_statuses_only_and_never_a_read():
    retry = make_retry(3)
    for status in RETRY_STATUSES:
        assert retry.is_retry("POST", status, has_retry_after=False)
    for status in (400, 401, 402, 404, 422):
        assert not retry.is_retry("POST", status, has_retry_after=False)
    assert retry.read == 0 and retry.respect_retry_after_header


@responses.activate
def test_the_last_failed_answer_after_retries_is_our_error():
    responses.post(URL, status=503, json={"error": "Model is loading", "estimated_time": 1.0})
    with pytest.raises(ServerError) as info:
        InferenceSession(local_token(), retries=0).text_generation(URL, "Hi")
    assert info.value.estimated_time == 1.0
