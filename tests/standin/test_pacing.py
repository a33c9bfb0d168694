"""Streams are paced so a person sees them arrive (teaching profile), and the knob changes it."""

from __future__ import annotations

import pytest

from helpers.standin import StandInOptions, events
from helpers.standin.__main__ import options_from, parse_args

CHAT = {
    "model": "openai/gpt-oss-120b",
    "messages": [{"role": "user", "content": "Tell me a story about a dragon."}],
    "max_tokens": 30,
    "stream": True,
}


def test_the_teaching_profile_paces_streams_and_today_does_not():
    assert StandInOptions().stream_delay_ms == 25
    assert 20 <= StandInOptions().stream_delay_s * 1000 <= 40
    assert StandInOptions(profile="today").stream_delay_ms == 0
    assert StandInOptions(stream_delay_ms=0).stream_delay_s == 0
    # latency_ms_per_token, when set, paces streams as before
    assert StandInOptions(latency_ms_per_token=5, stream_delay_ms=0).stream_delay_s == 0.005


def test_the_command_line_has_the_knob():
    assert options_from(parse_args([])).stream_delay_ms == 25
    assert options_from(parse_args(["--stream-delay-ms", "0"])).stream_delay_ms == 0
    assert options_from(parse_args(["--stream-delay-ms", "40"])).stream_delay_s == 0.04


def test_a_negative_delay_is_refused():
    with pytest.raises(ValueError, match="stream_delay_ms"):
        StandInOptions(stream_delay_ms=-1)


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    """Record every pause a stream asks for, without sleeping."""
    asked: list[float] = []

    async def fake_pace(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(events, "pace", fake_pace)
    return asked


def data_events(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("data:")]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/chat/completions", CHAT),
        (
            "/endpoints/gpt2/v1/completions",
            {"model": "tgi", "prompt": "Once upon a time,", "max_tokens": 16, "stream": True},
        ),
        ("/models/gpt2", {"inputs": "Once upon a time,", "stream": True}),
        ("/endpoints/gpt2/generate_stream", {"inputs": "Once upon a time,"}),
        ("/v1/responses", {"model": CHAT["model"], "input": "Tell me a story", "stream": True}),
    ],
)
def test_each_streamed_token_waits_the_configured_delay(make_api, auth, pauses, path, body):
    api = make_api(stream_delay_ms=40)
    response = api.post(path, json=body, headers=auth)
    assert response.status_code == 200, response.text
    assert len(pauses) >= 10
    assert set(pauses) == {0.04}
    # one pause per token event: the events that carry text
    tokens = [e for e in data_events(response.text) if "[DONE]" not in e]
    framing = 8 if path == "/v1/responses" else 2  # created, added, done... role, finish
    assert 0 <= len(tokens) - len(pauses) <= framing


def test_the_fixtures_stream_at_once(make_api, auth, pauses):
    make_api().post("/v1/chat/completions", json=CHAT, headers=auth)
    assert pauses and set(pauses) == {0.0}


def test_a_default_stand_in_paces_each_token_by_25_ms(auth, pauses):
    """The done-when check without a clock: a stand-in with no knobs asks 25 ms per token."""
    from fastapi.testclient import TestClient

    from helpers.standin import create_app

    with TestClient(create_app()) as api:
        response = api.post("/v1/chat/completions", json=CHAT, headers=auth)
    assert response.headers["x-stand-in"] and len(pauses) >= 10 and set(pauses) == {0.025}
