"""helpers.client.session: InferenceSession against canned answers (``responses``, no sockets)."""

from __future__ import annotations

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
)
from helpers.client.session import RETRY_STATUSES, parse_generation
from helpers.contract import STAND_IN_HEADER

URL = "https://router.example/hf-inference/models/gpt2"


@pytest.fixture
def session():
    return InferenceSession(local_token(), retries=0)


@responses.activate
def test_text_generation_sends_the_checked_payload_with_the_token_and_reads_the_answer(session):
    responses.post(
        URL,
        json=[{"generated_text": " a dragon", "details": {"finish_reason": "length"}}],
        headers={STAND_IN_HEADER: "1"},
    )
    answer = session.text_generation(URL, "Once", max_new_tokens=3, seed=None)
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {session._token}"
    assert answer.payload == {"inputs": "Once", "parameters": {"max_new_tokens": 3}}
    assert (answer.text, answer.finish_reason, answer.status) == (" a dragon", "length", 200)
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
        json={
            "error": "Input validation error: `top_k` must be strictly positive",
            "error_type": "validation",
        },
        headers={"x-request-id": "abc"},
    )
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
    [
        ([{"generated_text": "a"}], True),
        ({"generated_text": "a"}, True),
        ([], False),
        ({"error": "x"}, False),
        ([{"generated_text": 3}], False),
        ("text", False),
    ],
)
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
        (
            requests.exceptions.ConnectionError("[Errno 111] Connection refused"),
            ConnectionFailedError,
            "Connection refused",
        ),
        (requests.exceptions.ConnectTimeout("x"), RequestTimeoutError, "connect timeout"),
        (requests.exceptions.ReadTimeout("Read timed out"), RequestTimeoutError, "in time"),
    ],
)
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
    retry = InferenceSession(None).session.get_adapter("https://x").max_retries
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
