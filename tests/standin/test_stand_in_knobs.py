"""The stand-in's knobs: rate limit, credits, cold start, faults, latency, stream errors.

Windows and cold starts run on a fake clock handed to ``create_app`` (no sleeps); only the
connection drop and the latency need a real server.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import fields

import pytest
import requests

from helpers.contract import PAYMENT_REQUIRED_MESSAGE
from helpers.standin import StandInOptions, start
from helpers.standin.__main__ import build_parser, options_from, parse_args
from helpers.standin.options import RateLimit, hf_inference_usd_per_second

BODY = {"inputs": "The robot", "parameters": {"max_new_tokens": 3}}
OTHER = {"Authorization": "Bearer hf_" + "b" * 34}


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def post(api, auth, body=BODY):
    return api.post("/models/gpt2", json=body, headers=auth)


def test_rate_limit_answers_429_with_retry_after_and_ratelimit_headers(make_api, auth):
    clock = FakeClock()
    api = make_api(rate_limit="2/5", clock=clock)
    first = post(api, auth)
    clock.advance(1.2)
    second, third = post(api, auth), post(api, auth)
    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert first.headers["RateLimit-Policy"] == '"fixed window";"api";q=2;w=5'
    assert first.headers["RateLimit"] == '"api";r=1;t=5'
    assert third.headers["Retry-After"] == "4"  # 3.8 s left in the window, rounded up
    assert third.headers["RateLimit"] == '"api";r=0;t=4'


COLD_IMPORTS = """
import sys
from helpers.standin.app import create_app
from helpers.standin.options import StandInOptions
create_app(StandInOptions())
print("openai.types.chat" in sys.modules)
create_app(StandInOptions(rate_limit="3/0.5"))
print("openai.types.chat" in sys.modules)
"""


def test_a_rate_limited_stand_in_imports_its_answer_types_before_the_first_request():
    # Notebook 07 sends four requests into a 3/0.5 s window: a first answer that imported openai
    # (0.4 to 0.9 s, in a fresh kernel) let the other three into a new window, and four 200s
    # came instead of a 429. Read in a fresh interpreter, where nothing is imported yet; the
    # stand-in without a rate limit still defers it (notebooks 00 and 03 never need it).
    done = subprocess.run(
        [sys.executable, "-c", COLD_IMPORTS], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True"], done.stderr


def test_rate_limit_is_per_token(make_api, auth):
    api = make_api(rate_limit="1/5", clock=FakeClock())
    assert post(api, auth).status_code == 200
    assert post(api, OTHER).status_code == 200
    assert post(api, auth).status_code == 429


def test_rate_limit_window_resets_exactly_at_its_end(make_api, auth):
    clock = FakeClock()
    api = make_api(rate_limit="1/60", clock=clock)
    assert post(api, auth).status_code == 200
    clock.advance(59.9)
    assert post(api, auth).status_code == 429
    clock.advance(0.1)
    assert post(api, auth).status_code == 200


def test_credits_run_out_with_402_and_the_real_message(make_api, auth):
    # 3 tokens x 0.02 s x the data/ rate: the budget covers exactly two requests.
    per_request = 3 * 0.02 * hf_inference_usd_per_second()
    api = make_api(credits_usd=2 * per_request)
    statuses = [post(api, auth).status_code for _ in range(3)]
    assert statuses == [200, 200, 402]
    assert post(api, auth).json() == {"error": PAYMENT_REQUIRED_MESSAGE}


def test_the_billed_rate_is_the_one_in_data():
    # Fails if options.py goes back to a literal that drifts from data/serverless_rates.csv.
    import csv

    from helpers.data import data_path

    rows = csv.DictReader(data_path("serverless_rates.csv").open(encoding="utf-8"))
    rate = next(r for r in rows if r["name"] == "hf_inference_usd_per_compute_second")
    assert hf_inference_usd_per_second() == float(rate["value"])


def test_cold_start_answers_503_with_estimated_time_then_serves(make_api, auth):
    clock = FakeClock()
    api = make_api(cold_start_s=20, clock=clock)
    loading = post(api, auth)
    clock.advance(15)
    still = post(api, auth)
    clock.advance(5)
    ready = post(api, auth)
    assert loading.status_code == still.status_code == 503
    assert "currently loading" in loading.json()["error"]
    assert loading.json()["estimated_time"] == 20
    assert still.json()["estimated_time"] == 5
    assert ready.status_code == 200


def test_faults_are_seeded_and_repeatable(make_api, auth):
    def statuses():
        api = make_api(fault_rate=0.5, seed=3, fault_kinds=("500", "502", "503", "504"))
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
        requests.post(api.url + "/models/gpt2", json=BODY, headers=auth, timeout=10)


def test_latency_per_token_slows_answers(auth):
    with start(latency_ms_per_token=40) as api:
        started = time.perf_counter()
        requests.post(api.url + "/models/gpt2", json=BODY, headers=auth, timeout=10)
        assert time.perf_counter() - started >= 0.12


def test_stream_error_event_after_n_tokens(make_api, auth):
    api = make_api(stream_error_after_tokens=2)
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
        {"credits_usd": -1},
        {"rate_limit": "0/1"},
        {"rate_limit": "ten/1"},
    ],
)
def test_bad_knobs_are_refused(bad):
    with pytest.raises(ValueError):
        StandInOptions(**bad)


def test_unknown_knob_names_the_known_ones():
    with pytest.raises(TypeError, match="cold_start_s"):
        start(cold_start=3)


def test_every_knob_is_a_flag_with_the_same_name_and_back():
    # Fails if a field is added to StandInOptions without its flag, or a flag without a field.
    knob_flags = {
        action.dest
        for group in build_parser()._action_groups
        if group.title and group.title.startswith("knobs")
        for action in group._group_actions
    }
    assert knob_flags == {f.name for f in fields(StandInOptions)}
    for name in knob_flags:
        flag = "--" + name.replace("_", "-")
        assert flag in build_parser().format_help(), flag


def test_cli_reads_every_knob():
    args = parse_args(
        [
            "--profile",
            "today",
            "--no-router-serves-gpt2",
            "--tokens-without-inference",
            "hf_" + "x" * 34,
            "--latency-ms-per-token",
            "5",
            "--rate-limit",
            "10/1",
            "--credits-usd",
            "0.1",
            "--cold-start-s",
            "2",
            "--fault-rate",
            "0.1",
            "--fault-kinds",
            "500,drop",
            "--seed",
            "4",
            "--stream-error-after-tokens",
            "3",
            "--user-name",
            "ada",
        ]
    )
    assert options_from(args) == StandInOptions(
        profile="today",
        router_serves_gpt2=False,
        tokens_without_inference=frozenset({"hf_" + "x" * 34}),
        latency_ms_per_token=5,
        rate_limit=RateLimit(10, 1.0),
        credits_usd=0.1,
        cold_start_s=2,
        fault_rate=0.1,
        fault_kinds=("500", "drop"),
        seed=4,
        stream_error_after_tokens=3,
        user_name="ada",
    )


def test_cli_defaults_are_the_knobs_defaults():
    assert options_from(parse_args([])) == StandInOptions()


def test_knobs_are_off_by_default(api, auth):
    answers = [post(api, auth) for _ in range(30)]
    assert {a.status_code for a in answers} == {200}
    assert "RateLimit" not in answers[0].headers
