"""Token safety in live mode: whatever the service answers, the token shows up nowhere.

A fake token (``local_token()``) goes live through ``connect()`` with ``HF_ROUTER_URL`` and
``HF_HUB_URL`` pointing at stand-ins that fail in every way they can: 401, 403, 402, 429, each
5xx, dropped connections and read timeouts. Every kind of call the notebooks
and the bench make with the client is sent (classic generation, chat, whoami, provider
mapping, serving(), a batch with a results file), and then the token must
be in no printed output, no log record (DEBUG, urllib3 included), no exception's text, repr or
explanation, and no saved results file.

Bug caught: any error message, hint, repr, log line or saved record that quotes the request's
headers, the Authorization value or the settings with their token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import HFError, InferenceSession, connect, local_token
from helpers.client.batching import run_batch
from helpers.client.ratelimit import Pacer
from helpers.contract import CHAT_MODEL, GPT2
from helpers.standin import start

KNOBS = {
    "403 (no inference permission)": "no_permission",
    "402 (credits spent)": {"credits_usd": 0.0},
    "429 (rate limit)": {"rate_limit": "1/60"},
    "500": {"fault_rate": 1.0, "fault_kinds": ("500",)},
    "502 (HTML body)": {"fault_rate": 1.0, "fault_kinds": ("502",)},
    "503": {"fault_rate": 1.0, "fault_kinds": ("503",)},
    "504": {"fault_rate": 1.0, "fault_kinds": ("504",)},
    "dropped connections": {"fault_rate": 1.0, "fault_kinds": ("drop",)},
    "read timeouts": {"latency_ms_per_token": 40.0},
}


def calls(conn, results: Path) -> Iterator[tuple[str, Callable[[], object]]]:
    """Every kind of client call the notebooks and the bench make."""
    messages = [{"role": "user", "content": "Say hello."}]
    router, url = conn.settings.router_url, conn.text_generation_url()
    yield "text_generation", lambda: conn.text_generation(url, "Hello", max_new_tokens=5)
    body = {"model": CHAT_MODEL, "messages": messages, "max_tokens": 5}
    yield "chat", lambda: conn.json("POST", router + "/v1/chat/completions", json=body)
    provider = router + "/groq/openai/v1/chat/completions"
    yield "provider chat", lambda: conn.json("POST", provider, json=body)
    yield "whoami", lambda: conn.json("GET", conn.settings.hub_api_url + "/whoami-v2")
    yield "model_providers", lambda: conn.model_providers(conn.settings.hub_api_url, GPT2)
    yield "serving", lambda: conn.serving(GPT2)
    yield (
        "run_batch",
        lambda: run_batch(
            conn,
            url,
            {"a": "Hello", "b": "Hi there", "c": "Good morning"},
            parameters={"max_new_tokens": 3},
            results_path=results,
            workers=2,
            max_attempts=2,
            pace=False,  # a paced batch would wait out the 429s Retry-After (60 s)
            pacer=Pacer(sleep=lambda seconds: None),  # and so would the retry: no sleeping
            progress=False,
        ),
    )


def exercise(conn, results: Path) -> list[str]:
    """Run every call; print what a notebook would show; return every error's texts."""
    seen: list[str] = [repr(conn), conn.banner(), repr(conn.settings)]
    for name, call in calls(conn, results):
        try:
            outcome = call()
        except HFError as error:
            print(f"{name}: {error}")
            print(error.explain())
            seen += [str(error), repr(error), error.explain(), repr(error.__dict__)]
        else:
            print(f"{name}: {str(outcome)[:300]}")
            seen.append(repr(outcome))
    return seen


@pytest.fixture
def live_env(monkeypatch):
    """Set live mode's environment for a stand-in URL; return the setter."""
    for name in ("HUGGINGFACE_API_TOKEN", "HF_ENDPOINT_URL", "HF_STANDIN_URL"):
        monkeypatch.delenv(name, raising=False)

    def point_at(url: str, token: str) -> None:
        monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
        monkeypatch.setenv("HF_TOKEN", token)
        monkeypatch.setenv("HF_ROUTER_URL", url)
        monkeypatch.setenv("HF_HUB_URL", url)

    return point_at


def assert_nowhere(token: str, capsys, caplog, seen: list[str], files: list[Path]) -> None:
    captured = capsys.readouterr()
    assert token not in captured.out
    assert token not in captured.err
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + str(record.exc_text or "")
        assert token not in text, f"log record {record.name}: {text[:200]}"
    for text in seen:
        assert token not in text, text[:300]
    for file in files:
        if file.exists():
            assert token not in file.read_text(encoding="utf-8"), file


@pytest.mark.parametrize("failure", list(KNOBS), ids=list(KNOBS))
def test_no_failure_reveals_the_token(failure, live_env, capsys, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    token = local_token()
    knobs = KNOBS[failure]
    if knobs == "no_permission":
        knobs = {"tokens_without_inference": {token}}
    results = tmp_path / "results.jsonl"
    with start(**knobs) as api:
        live_env(api.url, token)
        conn = connect(retries=0, export=False)
        if failure.startswith("403"):
            # connect()'s check reads the missing permission and falls back to local, saying
            # why; the calls below go live anyway, to meet the 403s.
            assert conn.mode == "local"
            conn = connect(retries=0, export=False, check=False)
        assert conn.mode == "live", conn.banner()
        if failure == "read timeouts":
            conn.timeout = (2.0, 0.1)  # 5 tokens x 40 ms: the read times out
        seen = exercise(conn, results)
        conn.close()
    output = capsys.readouterr()
    print(output.out)  # back into the capture, for the check below
    assert "Error" in output.out, "the failure was met"  # the knob really failed the calls
    assert_nowhere(token, capsys, caplog, seen, [results])


def test_a_refused_token_is_not_quoted_either(live_env, capsys, caplog, tmp_path):
    # 401: the stand-in refuses a token that is not hf_ + 34 letters; connect() falls back to
    # the local stand-in and says why. Neither the refused token nor a fresh one leaks.
    caplog.set_level(logging.DEBUG)
    refused = "hf_" + "Q" * 30 + "1234"
    results = tmp_path / "results.jsonl"
    with start() as api:
        live_env(api.url, refused)
        conn = connect(retries=0, export=False)
        print(conn.banner())
        session = InferenceSession(refused, retries=0)
        seen = [str(e) for e in _errors(session, api.url, results)]
    assert_nowhere(refused, capsys, caplog, seen, [results])


def _errors(session: InferenceSession, url: str, results: Path) -> Iterator[HFError]:
    attempts = [
        lambda: session.text_generation(url + "/hf-inference/models/" + GPT2, "Hi"),
        lambda: session.json("GET", url + "/api/whoami-v2"),
        lambda: session.json("POST", url + "/v1/chat/completions", json={"model": CHAT_MODEL}),
        lambda: print(
            run_batch(
                session,
                url + "/models/" + GPT2,
                ["x"],
                results_path=results,
                progress=False,
            )
        ),
    ]
    for attempt in attempts:
        try:
            attempt()
        except HFError as error:
            print(error.explain())
            yield error
