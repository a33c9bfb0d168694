"""helpers.client.batching: pacing, retries, stops and resumes, all on a fake clock (no sockets)."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest

from helpers.client.batching import (
    load_results,
    run_batch,
    server_wait,
    wait_for_server_or_backoff,
)
from helpers.client.errors import (
    AuthenticationError,
    BadRequestError,
    ConnectionFailedError,
    PaymentRequiredError,
    RateLimitError,
    ServerError,
)
from helpers.client.ratelimit import Pacer, RateLimitPolicy


class FakeClock:
    """Time that moves only when a test or a sleeping Pacer or retry moves it."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakeServer:
    """A session whose server counts requests in fixed windows of the fake clock.

    ``limit`` (quota, window) answers 429 with Retry-After past the quota and advertises its
    RateLimit-Policy; ``script`` maps a prompt to the errors its first attempts raise.
    """

    def __init__(self, clock, limit=None, script=None, first_delay=0.0):
        self.clock, self.limit, self.script = clock, limit, dict(script or {})
        self.window_start, self.count, self.sent = None, 0, []
        self.delays = [first_delay]
        self.lock = threading.Lock()

    def text_generation(self, url, prompt, **parameters):
        with self.lock:
            self.clock.now += self.delays.pop() if self.delays else 0.001
            self.sent.append(prompt)
            if self.script.get(prompt):
                raise self.script[prompt].pop(0)
            headers = {}
            if self.limit:
                quota, window = self.limit
                if self.window_start is None or self.clock.now >= self.window_start + window:
                    self.window_start, self.count = self.clock.now, 0
                self.count += 1
                headers = {"RateLimit-Policy": f'"fixed window";"api";q={quota};w={window:g}'}
                if self.count > quota:
                    wait = self.window_start + window - self.clock.now
                    raise RateLimitError("Too Many Requests", status=429, retry_after=wait)
            return SimpleNamespace(status=200, headers=headers, text=prompt.upper())


def batch(server, prompts, **options):
    clock = server.clock
    return run_batch(
        server,
        "http://fake/models/gpt2",
        prompts,
        progress=False,
        pacer=Pacer(clock=clock, sleep=clock.sleep),
        **options,
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RateLimitError("x", retry_after=2.0), 2.0),
        (ServerError("x", estimated_time=9.0), 9.0),
        (ServerError("x"), None),
        (None, None),
    ],
)
def test_server_wait_reads_retry_after_and_estimated_time(error, expected):
    assert server_wait(error) == expected


def test_the_wait_is_the_servers_delay_capped_else_a_bounded_backoff():
    def state(error, attempt=1):
        outcome = SimpleNamespace(exception=lambda: error)
        return SimpleNamespace(outcome=outcome, attempt_number=attempt)

    wait = wait_for_server_or_backoff
    assert wait(state(RateLimitError("x", retry_after=3.0))) == 3.0
    assert wait(state(RateLimitError("x", retry_after=1e6))) == 60.0
    assert all(0 <= wait(state(ServerError("x"), 3)) <= 0.2 * 2**3 for _ in range(20))


def test_naive_loop_meets_429s_where_the_paced_loop_meets_none():
    naive = batch(
        FakeServer(FakeClock(), (5, 1.0)), [f"p{i}" for i in range(8)], pace=False, max_attempts=1
    )
    assert naive.status_counts() == {"200": 5, "429": 3} and naive.completed == 5
    paced = batch(FakeServer(FakeClock(), (5, 1.0)), [f"p{i}" for i in range(8)], max_attempts=1)
    assert paced.status_counts() == {"200": 8}
    assert paced.seconds >= 7 * 0.2  # one slot every 1/5 s (plus the margin)


@pytest.mark.parametrize("first_delay", [0.012, 0.207, 0.5])
def test_a_paced_batch_after_a_slow_first_answer_meets_no_429(first_delay):
    # Bug caught: the server's window opened when the probe arrived, late; pacing counted
    # from its send time and squeezed one request too many into the window.
    server = FakeServer(FakeClock(), (5, 1.0), first_delay=first_delay)
    assert batch(server, [f"p{i}" for i in range(8)], max_attempts=1).status_counts() == {"200": 8}


def test_a_given_policy_is_followed_by_every_worker():
    clock = FakeClock()
    report = batch(
        FakeServer(clock), [f"p{i}" for i in range(12)], workers=4, policy=RateLimitPolicy(4, 1.0)
    )
    starts = sorted(a.start for a in report.attempts)
    gaps = [b - a for a, b in zip(starts[:-1], starts[1:], strict=True)]
    assert min(gaps) >= 0.25 and report.completed == 12


def test_transient_failures_are_retried_and_the_429_wait_is_the_servers():
    script = {
        "a": [ServerError("boom", status=503), ConnectionFailedError("drop")],
        "b": [RateLimitError("slow", status=429, retry_after=4.0)],
    }
    clock = FakeClock()
    report = batch(FakeServer(clock, script=script), ["a", "b", "c"], pace=True)
    assert report.completed == 3 and report.retries == 3
    assert report.status_counts() == {"200": 3, "429": 1, "503": 1, "drop": 1}
    assert report.seconds >= 4.0  # the Retry-After held the batch back


def test_an_unretryable_failure_fails_that_prompt_only():
    script = {"bad": [BadRequestError("no", status=422)]}
    report = batch(FakeServer(FakeClock(), script=script), ["bad", "good"])
    assert not report.results["bad"].ok and report.results["bad"].attempts == 1
    assert report.results["good"].ok and report.stopped_by is None


@pytest.mark.parametrize(
    "fatal", [PaymentRequiredError("spent", status=402), AuthenticationError("who", status=401)]
)
def test_a_failure_every_prompt_would_meet_stops_the_batch(fatal):
    server = FakeServer(FakeClock(), script={"p0": [fatal]})
    report = batch(server, [f"p{i}" for i in range(5)], policy=RateLimitPolicy(100, 1))
    assert server.sent == ["p0"] and report.completed == 0
    assert str(fatal.status) in report.stopped_by


def test_an_interrupted_batch_resumes_with_only_the_missing_prompts(tmp_path):
    path, prompts = tmp_path / "results.jsonl", {f"k{i}": f"p{i}" for i in range(6)}
    first = FakeServer(FakeClock())  # "interrupted" after two prompts
    batch(first, dict(list(prompts.items())[:2]), results_path=path)
    second = FakeServer(FakeClock())
    report = batch(second, prompts, results_path=path)
    assert sorted(second.sent) == [f"p{i}" for i in range(2, 6)]
    assert report.completed == 6
    third = FakeServer(FakeClock())
    batch(third, prompts, results_path=path)
    assert third.sent == []


def test_a_failed_prompt_is_tried_again_on_resume(tmp_path):
    path = tmp_path / "results.jsonl"
    batch(
        FakeServer(FakeClock(), script={"x": [BadRequestError("no", status=400)]}),
        ["x"],
        results_path=path,
    )
    assert batch(FakeServer(FakeClock()), ["x"], results_path=path).completed == 1


def test_a_line_cut_short_by_a_kill_is_skipped_and_a_success_beats_a_failure(tmp_path):
    path = tmp_path / "results.jsonl"
    line = {"key": "a", "prompt": "a", "ok": True, "text": "A", "attempts": 1}
    path.write_text(json.dumps(line) + "\n" + json.dumps({**line, "ok": False}) + '\n{"key": "b",')
    results = load_results(path)
    assert list(results) == ["a"] and results["a"].ok
