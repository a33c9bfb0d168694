"""helpers.client.session against the stand-in: answers in both shapes and every failure."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from helpers import (
    AuthenticationError,
    ConnectionFailedError,
    EndpointGoneError,
    InferenceSession,
    InsecureTransportError,
    ModelNotFoundError,
    ParameterError,
    PermissionDeniedError,
    RequestTimeoutError,
    UnexpectedResponseError,
    ValidationError,
    local_token,
    parse_completion,
    parse_generation,
)
from helpers.client.session import completions_url
from helpers.standin import LEGACY_PREFIX, start

PROMPT = "Once upon a time, in a land far away,"


@pytest.fixture
def session(token):
    s = InferenceSession(token, retries=0)
    yield s
    s.close()


def test_generation_reads_text_details_and_who_answered(stand_in, session):
    result = session.text_generation(
        stand_in.url + "/models/gpt2",
        PROMPT,
        max_new_tokens=6,
        details=True,
        seed=2,
        do_sample=True,
    )
    assert result.text.startswith(PROMPT)
    assert result.details["generated_tokens"] == 6
    assert "stand-in" in result.answered_by
    assert result.payload == {
        "inputs": PROMPT,
        "parameters": {"max_new_tokens": 6, "details": True, "seed": 2, "do_sample": True},
    }
    assert "answered by: local stand-in" in str(result)


def test_stream_yields_events_until_the_last_with_details(stand_in, session):
    events = list(
        session.stream_text_generation(
            stand_in.url + "/models/gpt2", PROMPT, max_new_tokens=4, details=True
        )
    )
    assert len(events) == 4
    assert events[-1]["details"]["generated_tokens"] == 4


def test_bad_parameter_is_refused_before_sending(stand_in, session):
    with pytest.raises(ParameterError, match="temperature"):
        session.text_generation(stand_in.url + "/models/gpt2", PROMPT, temperature=0)


def test_unknown_model_raises_model_not_found_with_hint(stand_in, session):
    with pytest.raises(ModelNotFoundError) as info:
        session.text_generation(stand_in.url + "/hf-inference/models/nobody/nothing", PROMPT)
    assert info.value.status == 404
    assert "How to fix it" in str(info.value)


def test_legacy_url_raises_endpoint_gone(stand_in, session):
    with pytest.raises(EndpointGoneError, match="router.huggingface.co"):
        session.text_generation(stand_in.url + LEGACY_PREFIX + "/models/gpt2", PROMPT)


def test_bad_token_raises_authentication_error(stand_in):
    with pytest.raises(AuthenticationError, match="Invalid credentials"):
        InferenceSession("hf_wrong", retries=0).text_generation(
            stand_in.url + "/models/gpt2", PROMPT
        )


def test_token_without_permission_raises_permission_denied():
    weak = local_token()
    with (
        start(tokens_without_inference={weak}) as api,
        pytest.raises(PermissionDeniedError, match="Inference Providers"),
    ):
        InferenceSession(weak, retries=0).text_generation(api.url + "/models/gpt2", PROMPT)


def test_server_side_validation_error_is_ours(stand_in, session):
    # a raw request that skips the client-side check still comes back as our exception
    with pytest.raises(ValidationError, match="top_p"):
        session.json(
            "POST", stand_in.url + "/models/gpt2", json={"inputs": "x", "parameters": {"top_p": 1}}
        )


def test_connection_refused_is_connection_failed(session):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectionFailedError, match="Could not connect"):
        session.text_generation(f"http://127.0.0.1:{port}/models/gpt2", PROMPT)


def test_read_timeout_is_request_timeout(token):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        accepted = []
        threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
        slow = InferenceSession(token, timeout=(1.0, 0.3), retries=0)
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError):
            slow.text_generation(f"http://127.0.0.1:{port}/models/gpt2", PROMPT)
        assert time.monotonic() - started < 5


def test_token_is_never_sent_over_plain_http_to_another_host(session):
    with pytest.raises(InsecureTransportError):
        session.text_generation("http://example.com/models/gpt2", PROMPT)


@pytest.mark.parametrize(
    "body",
    [
        {"error": "x"},
        [],
        [{"text": "no generated_text"}],
        "a string",
        None,
        [{"generated_text": 3}],
    ],
)
def test_unexpected_success_bodies_raise_our_error_not_keyerror(body):
    with pytest.raises(UnexpectedResponseError):
        parse_generation(body)


def test_non_json_success_is_unexpected_response(stand_in, session):
    with pytest.raises(UnexpectedResponseError, match="Expected JSON"):
        session.json("GET", stand_in.url + "/docs")


def test_session_repr_hides_the_token(token):
    assert token not in repr(InferenceSession(token))


def test_connect_timeout_is_request_timeout(token):
    from helpers.standin import SilentListener

    with SilentListener() as silent:
        session = InferenceSession(token, timeout=(0.3, 5), retries=0)
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError) as info:
            session.text_generation(silent.url + "/models/gpt2", PROMPT)
        assert time.monotonic() - started < 3
    assert info.value.phase == "connect"
    assert "read timeout" not in info.value.hint.replace("longer read timeout does not", "")
    assert "does not help" in info.value.hint  # bug: advising a longer read timeout


def test_read_timeout_hint_may_advise_a_longer_read_timeout(token):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        slow = InferenceSession(token, timeout=(1.0, 0.3), retries=0)
        with pytest.raises(RequestTimeoutError) as info:
            slow.text_generation(f"http://127.0.0.1:{server.getsockname()[1]}/x", PROMPT)
    assert info.value.phase == "read" and "read timeout" in info.value.hint


def test_connection_failure_hint_names_the_stand_in_only_on_this_machine(session):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectionFailedError) as local:
        session.request("GET", f"http://127.0.0.1:{port}/x")
    assert "stand-in" in local.value.hint
    with pytest.raises(ConnectionFailedError) as live:
        session.request("GET", "https://no-such-host.invalid/x")
    assert "stand-in" not in live.value.hint  # a live user is never told to restart it
    assert "network" in live.value.hint


# --- the OpenAI completions shape ---------------------------------------------------------


def test_completion_reads_choices_text_usage_and_finish_reason(stand_in, session):
    result = session.completion(
        stand_in.url + "/hf-inference/models/openai-community/gpt2",
        "openai-community/gpt2",
        PROMPT,
        max_tokens=5,
        seed=1,
    )
    assert result.text and not result.text.startswith(PROMPT)
    assert result.payload == {
        "model": "openai-community/gpt2",
        "prompt": PROMPT,
        "max_tokens": 5,
        "seed": 1,
    }
    assert result.usage["completion_tokens"] <= 5
    assert result.finish_reason in ("length", "stop")


def test_stream_completion_ends_at_done_and_yields_text_pieces(stand_in, session):
    from helpers.client.sse import completion_texts

    events = list(
        session.stream_completion(
            stand_in.url + "/hf-inference/models/openai-community/gpt2",
            "openai-community/gpt2",
            PROMPT,
            max_tokens=4,
        )
    )
    assert events and "".join(completion_texts(events))


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        (
            "https://r.co/hf-inference/models/a/b",
            "https://r.co/hf-inference/models/a/b/v1/completions",
        ),
        ("https://e.cloud/", "https://e.cloud/v1/completions"),
        ("https://e.cloud/v1/completions", "https://e.cloud/v1/completions"),
    ],
)
def test_completions_url_is_built_from_a_base(base, expected):
    assert completions_url(base) == expected


@pytest.mark.parametrize(
    "body",
    [{"choices": []}, [{"generated_text": "classic"}], {"choices": [{"text": None}]}, None],
)
def test_unexpected_completion_bodies_raise_our_error(body):
    with pytest.raises(UnexpectedResponseError, match="choices"):
        parse_completion(body)


def test_parse_completion():
    body = {
        "choices": [{"text": " world", "finish_reason": "length"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    assert parse_completion(body) == (" world", "length", body["usage"])


# --- which shape a server speaks; who serves a model --------------------------------------


def test_routes_spoken_says_unknown_where_nothing_answers(session):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spoken = session.routes_spoken(f"http://127.0.0.1:{port}")
    assert (spoken.classic, spoken.openai) == (None, None)


@pytest.mark.parametrize(
    "mapping",
    [
        {"hf-inference": {"status": "live", "task": "text-generation", "providerId": "g"}},
        [{"provider": "hf-inference", "status": "live", "task": "text-generation"}],
    ],
    ids=["object keyed by provider (today)", "list (older answers)"],
)
def test_model_providers_accepts_both_mapping_shapes(session, monkeypatch, mapping):
    monkeypatch.setattr(
        session, "json", lambda *a, **k: ({"id": "g", "inferenceProviderMapping": mapping}, None)
    )
    assert session.model_providers("https://hub/api", "g") == [
        {"provider": "hf-inference", "status": "live", "task": "text-generation"}
        | ({"providerId": "g"} if isinstance(mapping, dict) else {})
    ]


@pytest.mark.parametrize(
    ("setting", "says", "never"),
    [
        ("HF_ROUTER_URL", "check your network connection", "stand-in"),
        ("HF_STANDIN_URL", "The room's stand-in at", "fresh one"),
    ],
)
def test_a_connection_hint_names_the_setting_that_chose_the_url(setting, says, never):
    # bug caught: a live router on a loopback port got the stand-in's hint ("check
    # HF_STANDIN_URL"); a room's stand-in got "run connect() again to start a fresh one"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    session = InferenceSession(None, retries=0, url_settings={dead + "/": setting})
    with pytest.raises(ConnectionFailedError) as info:
        session.request("GET", dead + "/v1/models")
    assert setting in info.value.hint and says in info.value.hint
    assert never not in info.value.hint
    unnamed = InferenceSession(None, retries=0)
    with pytest.raises(ConnectionFailedError) as info:
        unnamed.request("GET", dead + "/v1/models")
    assert "HF_STANDIN_URL" not in info.value.hint  # our own stand-in: no setting to check
