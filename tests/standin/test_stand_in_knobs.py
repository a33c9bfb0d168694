"""The stand-in's knobs: rate limit, credits, cold start, faults, latency, stream errors."""

from __future__ import annotations

import time

import pytest
import requests

from helpers.standin import StandInOptions, start
from helpers.standin.__main__ import parse_args
from helpers.standin.options import RateLimit

BODY = {"inputs": "The robot", "parameters": {"max_new_tokens": 3}}


def post(api, auth, body=BODY, **kw):
    return requests.post(api.url + "/models/gpt2", json=body, headers=auth, timeout=10, **kw)


def test_rate_limit_answers_429_with_retry_after_and_ratelimit_headers(auth):
    with start(rate_limit="2/5") as api:
        first, second, third = (post(api, auth) for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert first.headers["RateLimit-Policy"] == '"fixed window";"api";q=2;w=5'
    assert first.headers["RateLimit"].startswith('"api";r=1;')
    assert int(third.headers["Retry-After"]) >= 1
    assert third.headers["RateLimit"].startswith('"api";r=0;')


def test_rate_limit_is_per_token(auth):
    other = {"Authorization": "Bearer hf_" + "b" * 34}
    with start(rate_limit="1/5") as api:
        assert post(api, auth).status_code == 200
        assert post(api, other).status_code == 200
        assert post(api, auth).status_code == 429


def test_rate_limit_window_resets(auth):
    with start(rate_limit="1/0.3") as api:
        assert post(api, auth).status_code == 200
        assert post(api, auth).status_code == 429
        time.sleep(0.35)
        assert post(api, auth).status_code == 200


def test_credits_run_out_with_402_and_the_real_message(auth):
    with start(credits_usd=0.00001) as api:
        statuses = [post(api, auth).status_code for _ in range(5)]
        last = post(api, auth)
    assert statuses[0] == 200 and statuses[-1] == 402
    assert "exceeded your monthly included credits" in last.json()["error"]


def test_cold_start_answers_503_with_estimated_time_then_serves(auth):
    with start(cold_start_s=0.4) as api:
        loading = post(api, auth)
        time.sleep(0.45)
        ready = post(api, auth)
    assert loading.status_code == 503
    assert "currently loading" in loading.json()["error"]
    assert 0 < loading.json()["estimated_time"] <= 0.4
    assert ready.status_code == 200


def test_faults_are_seeded_and_repeatable(auth):
    def statuses():
        with start(fault_rate=0.5, seed=3, fault_kinds=("500", "502", "503", "504")) as api:
            return [post(api, auth).status_code for _ in range(20)]

    first = statuses()
    assert first == statuses()
    assert set(first) - {200}
    assert set(first) <= {200, 500, 502, 503, 504}


def test_drop_breaks_the_connection(auth):
    with (
        start(fault_rate=1.0, fault_kinds=("drop",)) as api,
        pytest.raises(requests.RequestException),
    ):
        post(api, auth)


def test_latency_per_token_slows_answers(auth):
    with start(latency_ms_per_token=40) as api:
        started = time.perf_counter()
        post(api, auth)
        assert time.perf_counter() - started >= 0.12


def test_stream_error_event_after_n_tokens(auth):
    with start(stream_error_after_tokens=2) as api:
        text = post(api, auth, {**BODY, "stream": True}).text
    events = [ln for ln in text.splitlines() if ln.startswith("data:")]
    assert len(events) == 3
    assert '"error_type": "generation"' in events[-1]


@pytest.mark.parametrize(
    "bad",
    [
        {"fault_rate": 1.5},
        {"fault_kinds": ("418",)},
        {"fault_kinds": ()},
        {"latency_ms_per_token": -1},
    ],
)
def test_bad_knobs_are_refused(bad):
    with pytest.raises(ValueError):
        StandInOptions(**bad)


def test_cli_reads_every_knob():
    args = parse_args(
        [
            "--rate-limit",
            "10/1",
            "--credits-usd",
            "0.1",
            "--cold-start-s",
            "2",
            "--fault-rate",
            "0.1",
            "--seed",
            "4",
        ]
    )
    assert args.rate_limit == RateLimit(10, 1.0)
    assert (args.credits_usd, args.cold_start_s, args.fault_rate, args.seed) == (0.1, 2.0, 0.1, 4)


def test_knobs_are_off_by_default(auth, stand_in):
    answers = [post(stand_in, auth) for _ in range(30)]
    assert {a.status_code for a in answers} == {200}
    assert "RateLimit" not in answers[0].headers
