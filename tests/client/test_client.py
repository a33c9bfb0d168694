"""helpers.client.session and helpers.lessons.connection against the stand-in: answers and every failure."""

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
    connect,
    local_token,
    parse_generation,
)
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
        session.stream_text_generation(stand_in.url + "/models/gpt2", PROMPT, max_new_tokens=4)
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


def test_connect_local_starts_the_stand_in_and_says_so(capsys, monkeypatch):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_TOKEN", local_token())  # a token does not switch local mode off
    hf = connect()
    banner = capsys.readouterr().out
    assert "LOCAL STAND-IN" in banner and "not from Hugging Face" in banner
    assert hf.is_local
    assert hf.token != __import__("os").environ["HF_TOKEN"]  # the learner's token stays home
    assert hf.whoami()["name"] == "standin-learner"
    assert hf.is_served("gpt2")
    assert "stand-in" in hf.generate(PROMPT, max_new_tokens=3).answered_by


def test_connect_live_uses_the_real_urls_without_sending_anything(capsys, monkeypatch):
    token = local_token()
    monkeypatch.setenv("HF_TUTORIAL_MODE", "auto")
    monkeypatch.setenv("HF_TOKEN", token)
    monkeypatch.delenv("HF_ENDPOINT_URL", raising=False)
    hf = connect()
    banner = capsys.readouterr().out
    assert banner.startswith("LIVE")
    assert token not in banner
    assert hf.model_url("openai-community/gpt2") == (
        "https://router.huggingface.co/hf-inference/models/openai-community/gpt2"
    )
    assert hf.settings.hub_api_url == "https://huggingface.co/api"


def test_connect_live_prefers_a_dedicated_endpoint(monkeypatch, capsys):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
    monkeypatch.setenv("HF_TOKEN", local_token())
    monkeypatch.setenv("HF_ENDPOINT_URL", "https://xyz.endpoints.huggingface.cloud")
    assert connect(quiet=True).text_generation_url() == "https://xyz.endpoints.huggingface.cloud"


def test_connect_uses_a_workshop_stand_in_url(monkeypatch, stand_in):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_STANDIN_URL", stand_in.url + "/")
    hf = connect(quiet=True)
    assert hf.settings.router_url == stand_in.url


def test_serving_falls_back_to_the_stand_in_when_the_router_lacks_the_model(capsys, auth):
    from helpers import Connection, InferenceSession, Settings

    with start(router_serves_gpt2=False) as router_like:
        token = auth["Authorization"].split()[1]
        live_like = Connection(
            Settings("live", token, router_like.url, router_like.url + "/api"),
            InferenceSession(token, retries=0),
        )
        chosen = live_like.serving("openai-community/gpt2")
    said = capsys.readouterr().out
    assert chosen.is_local
    assert "not served" in said and "HF_ENDPOINT_URL" in said


def test_serving_keeps_a_connection_that_serves_the_model(stand_in, token):
    from helpers import Connection, InferenceSession, Settings

    live_like = Connection(
        Settings("live", token, stand_in.url, stand_in.url + "/api"), InferenceSession(token)
    )
    assert live_like.serving("gpt2") is live_like


def test_live_mode_without_a_token_explains_and_falls_back_to_the_stand_in(
    monkeypatch, capsys, tmp_path
):
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
    monkeypatch.setenv("CI", "true")  # nobody can type
    for name in ("HF_TOKEN", "HUGGINGFACE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    hf = connect()
    said = capsys.readouterr().out
    assert hf.is_local
    assert "No Hugging Face token found" in said and ".env" in said and "LOCAL STAND-IN" in said


def test_local_mode_may_reach_a_workshop_stand_in_over_plain_http(monkeypatch):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_STANDIN_URL", "http://192.0.2.10:8000")
    hf = connect(quiet=True)
    assert hf.session.allow_plain_http  # the throw-away token may go to the room's stand-in


def test_live_mode_never_allows_plain_http(monkeypatch):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
    monkeypatch.setenv("HF_TOKEN", local_token())
    assert not connect(quiet=True).session.allow_plain_http


def test_connect_timeout_is_request_timeout(token):
    from helpers.standin import SilentListener

    with SilentListener() as silent:
        session = InferenceSession(token, timeout=(0.3, 5), retries=0)
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError):
            session.text_generation(silent.url + "/models/gpt2", PROMPT)
        assert time.monotonic() - started < 3
