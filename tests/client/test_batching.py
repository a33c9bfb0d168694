"""helpers.client.batching: retries of transient failures only, stops, resume, no duplicates."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest

from helpers import InferenceSession
from helpers.client.batching import (
    ItemResult,
    ResultStore,
    WaitForServerOrBackoff,
    run_batch,
    server_wait,
)
from helpers.client.errors import ModelLoadingError, RateLimitError, ServerError
from helpers.client.ratelimit import Pacer, RateLimitPolicy
from helpers.standin import start
from helpers.standin.options import StandInOptions
from helpers.standin.responses import StandInError
from helpers.standin.state import StandInState
from helpers.tools import bench

PARAMS = {"max_new_tokens": 2}


def state_with(error):
    outcome = SimpleNamespace(exception=lambda: error)
    return SimpleNamespace(outcome=outcome, attempt_number=3, idle_for=0.0)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RateLimitError("slow down", retry_after=7.0), 7.0),
        (ModelLoadingError("loading", estimated_time=12.5), 12.5),
        (RateLimitError("slow down"), None),
        (ServerError("boom"), None),
        (None, None),
    ],
)
def test_server_wait_reads_retry_after_and_estimated_time(error, expected):
    assert server_wait(error) == expected


def test_wait_uses_the_servers_delay_when_given():
    assert WaitForServerOrBackoff()(state_with(RateLimitError("x", retry_after=4.0))) == 4.0


def test_wait_caps_a_huge_server_delay():
    assert WaitForServerOrBackoff()(state_with(RateLimitError("x", retry_after=9999))) == 60.0


def test_wait_falls_back_to_full_jitter_within_the_exponential_bound():
    wait = WaitForServerOrBackoff(multiplier=0.5, max_wait=10)
    delays = [wait(state_with(ServerError("x"))) for _ in range(200)]
    # attempt 3: full jitter draws from [0, multiplier * 2 ** (3 - 1)] = [0, 2]
    assert all(0 <= d <= 2.0 for d in delays)
    assert max(delays) > 1.0 and min(delays) < 1.0  # spread, not a fixed delay


def test_transient_faults_are_retried_until_every_prompt_is_done(token, tmp_path):
    keys = {f"k{i}": f"Prompt number {i}" for i in range(40)}
    with start(fault_rate=0.3, seed=5) as api:
        report = run_batch(
            InferenceSession(token, retries=0),
            api.url + "/models/gpt2",
            keys,
            parameters=PARAMS,
            results_path=tmp_path / "r.jsonl",
            workers=4,
            progress=False,
            wait=lambda state: 0.0,
            max_attempts=12,
        )
    assert report.completed == 40
    assert report.retries > 0
    assert set(report.status_counts()) - {"200"}  # faults were met and survived


def test_interrupted_batch_resumes_with_only_the_missing_prompts(token, tmp_path):
    path = tmp_path / "results.jsonl"
    keys = {f"k{i}": f"Prompt {i}" for i in range(10)}
    with start() as api:
        url = api.url + "/models/gpt2"
        first = run_batch(
            InferenceSession(token),
            url,
            keys,
            parameters=PARAMS,
            results_path=path,
            progress=False,
            stop_after=4,
        )
        assert first.sent == 4 and first.completed == 4
        second = run_batch(
            InferenceSession(token), url, keys, parameters=PARAMS, results_path=path, progress=False
        )
        assert second.skipped == 4 and second.sent == 6
        third = run_batch(
            InferenceSession(token), url, keys, parameters=PARAMS, results_path=path, progress=False
        )
    assert third.sent == 0 and third.completed == 10
    lines = [json.loads(ln) for ln in path.read_text().splitlines()]
    assert sorted(ln["key"] for ln in lines) == sorted(keys)  # each key written once


def test_failed_items_are_tried_again_on_resume(token, tmp_path):
    path = tmp_path / "r.jsonl"
    ResultStore(path).append(
        __import__("helpers.client.batching", fromlist=["ItemResult"]).ItemResult(
            "a", "A", ok=False, error="x"
        )
    )
    with start() as api:
        report = run_batch(
            InferenceSession(token),
            api.url + "/models/gpt2",
            {"a": "A"},
            parameters=PARAMS,
            results_path=path,
            progress=False,
        )
    assert report.sent == 1 and report.completed == 1
    assert ResultStore(path).load()["a"].ok


def test_truncated_result_line_is_redone_not_fatal(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"key": "a", "prompt": "A", "ok": true}\n{"key": "b", "pro')
    assert list(ResultStore(path).load()) == ["a"]


def test_credits_spent_stop_the_batch_cleanly(token):
    keys = {f"k{i}": f"Prompt {i}" for i in range(30)}
    with start(credits_usd=0.00002) as api:
        report = run_batch(
            InferenceSession(token, retries=0),
            api.url + "/models/gpt2",
            keys,
            parameters=PARAMS,
            progress=False,
        )
    assert "402" in report.stopped_by
    assert 0 < report.completed < 30
    assert report.status_counts()["402"] == 1  # no retries of a 402
    results = list(report.results.values())
    assert sum(r.ok for r in results) == report.completed
    unsent = [r for r in results if r.error == "not sent: batch stopped"]
    assert unsent and all(r.attempts == 0 for r in unsent)
    assert len(results) == 30


def test_bad_token_stops_after_one_request(stand_in):
    report = run_batch(
        InferenceSession("hf_nope", retries=0),
        stand_in.url + "/models/gpt2",
        ["a", "b", "c"],
        parameters=PARAMS,
        progress=False,
    )
    assert report.status_counts() == {"401": 1}
    assert "AuthenticationError" in report.stopped_by


def test_unretryable_item_errors_fail_that_item_only(token, stand_in):
    report = run_batch(
        InferenceSession(token, retries=0),
        stand_in.url + "/models/gpt2",
        ["good", ""],
        parameters=PARAMS,
        progress=False,
    )
    assert report.results["good"].ok
    assert not report.results[""].ok
    assert report.stopped_by is None


class FakeClock:
    """Time that moves only when a test or a sleeping Pacer moves it."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakeLimitedServer:
    """A session whose server is a StandInState on the fake clock (no sockets, no sleeps).

    The first request takes ``probe_seconds`` to arrive (a server still starting), every later
    one ``travel`` seconds; a 429 is raised as the client's RateLimitError.
    """

    def __init__(self, clock: FakeClock, limit: str, probe_seconds: float = 0.0) -> None:
        self.clock = clock
        self.state = StandInState(StandInOptions(rate_limit=limit), clock=clock)
        self.delays = [probe_seconds]
        self.travel = 0.001

    def text_generation(self, url: str, prompt: str, **parameters) -> SimpleNamespace:
        self.clock.now += self.delays.pop() if self.delays else self.travel
        try:
            headers = self.state.rate_limit_headers("hf_learner")
        except StandInError as error:
            retry_after = float(error.headers["Retry-After"])
            raise RateLimitError(error.message, status=429, retry_after=retry_after) from None
        return SimpleNamespace(status=200, headers=headers, text="ok")


def fake_batch(server: FakeLimitedServer, n: int, **options):
    clock = server.clock
    return run_batch(
        server,
        "http://fake/models/gpt2",
        [f"p{i}" for i in range(n)],
        pacer=Pacer(clock=clock, sleep=clock.sleep),
        progress=False,
        **options,
    )


def test_naive_loop_meets_429s_where_the_paced_loop_meets_none():
    naive = fake_batch(FakeLimitedServer(FakeClock(), "5/1"), 8, pace=False, max_attempts=1)
    assert naive.status_counts() == {"200": 5, "429": 3}  # 8 requests land in one window
    assert len(naive.results) - naive.completed == 3  # the naive loop never retries
    paced = fake_batch(FakeLimitedServer(FakeClock(), "5/1"), 8, max_attempts=1)
    assert paced.status_counts() == {"200": 8}


@pytest.mark.parametrize("probe_seconds", [0.012, 0.207, 0.5])
def test_a_paced_batch_after_a_slow_first_request_meets_no_429(probe_seconds):
    # Bug caught (issue 18, step 8): a fresh server answered the probe late, the window opened
    # on its arrival, and pacing counted from its send time: one 429 per batch.
    server = FakeLimitedServer(FakeClock(), "5/1", probe_seconds=probe_seconds)
    assert fake_batch(server, 8, max_attempts=1).status_counts() == {"200": 8}


def test_concurrent_paced_batch_probes_the_policy_before_fanning_out():
    # The clock stands still, so each worker's slot is exactly the delay the Pacer handed it.
    clock = FakeClock()
    events: list[tuple[str, str, float]] = []
    lock = threading.Lock()
    policy = RateLimitPolicy(10, 1)

    class Recording:
        def text_generation(self, url, prompt, **parameters):
            with lock:
                events.append(("sent", prompt, local.slot))
            with lock:
                events.append(("answered", prompt, local.slot))
            return SimpleNamespace(
                status=200, headers={"RateLimit-Policy": policy.header()}, text="ok"
            )

    local = threading.local()

    class SlotPacer(Pacer):
        def wait(self) -> float:
            delay = super().wait()
            local.slot = clock.now + delay
            return delay

    report = run_batch(
        Recording(),
        "http://fake/models/gpt2",
        [f"p{i}" for i in range(15)],
        pacer=SlotPacer(clock=clock, sleep=lambda seconds: None),
        workers=4,
        max_attempts=1,
        progress=False,
    )
    assert report.status_counts() == {"200": 15}
    assert [e[:2] for e in events[:2]] == [("sent", "p0"), ("answered", "p0")]  # alone first
    slots = sorted(e[2] - clock.now for e in events if e[0] == "sent")
    step = policy.interval * 1.03
    assert slots == pytest.approx([i * step for i in range(15)])  # every worker was paced


def test_a_paced_batch_against_a_freshly_started_stand_in_stays_under_the_limit(token):
    # The loose end-to-end check on the real clock: a machine under load may still see a late
    # request, so one 429 (retried) is tolerated; without pacing there would be three.
    with start(rate_limit="5/1") as api:
        report = run_batch(
            InferenceSession(token, retries=0),
            api.url + "/models/gpt2",
            [f"p{i}" for i in range(8)],
            parameters=PARAMS,
            progress=False,
        )
    assert report.completed == 8
    assert report.status_counts().get("429", 0) <= 1
    assert report.seconds >= 1.0  # paced: 8 requests at 5/s take at least 1.4 s


# --- crash safety: the results file after a kill ---------------------------------------------


def record_line(key: str, ok: bool = True) -> str:
    return json.dumps({"key": key, "prompt": key.upper(), "ok": ok, "text": "t", "attempts": 1})


def test_a_partial_last_line_is_cut_off_so_the_next_record_starts_on_its_own_line(tmp_path):
    # Bug caught: a torn last line was skipped on load but kept, so the next append was glued
    # to it and that record became a corrupt line too.
    path = tmp_path / "r.jsonl"
    path.write_text(record_line("a") + "\n" + record_line("b")[:20])
    store = ResultStore(path)
    assert list(store.load()) == ["a"]
    store.append(ItemResult("b", "B", ok=True, text="t", attempts=1))
    lines = path.read_text().splitlines()
    assert [json.loads(ln)["key"] for ln in lines] == ["a", "b"]


def test_a_key_written_twice_keeps_one_line_and_the_success(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(
        "\n".join([record_line("a"), record_line("b", ok=False), record_line("b"), "garbage"])
        + "\n"
        + record_line("a", ok=False)
        + "\n"
    )
    loaded = ResultStore(path).load()
    assert {k: r.ok for k, r in loaded.items()} == {"a": True, "b": True}
    keys = [json.loads(ln)["key"] for ln in path.read_text().splitlines()]
    assert sorted(keys) == ["a", "b"]  # repaired on disk, not only in memory


def test_a_healthy_file_is_not_rewritten(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(record_line("a") + "\n")
    before = path.stat().st_ino
    ResultStore(path).load()
    assert path.stat().st_ino == before  # no rename: nothing to repair


def test_a_failure_redone_on_resume_leaves_one_line_for_its_key(token, tmp_path, stand_in):
    path = tmp_path / "r.jsonl"
    path.write_text(record_line("a", ok=False) + "\n")
    run_batch(
        InferenceSession(token),
        stand_in.url + "/models/gpt2",
        {"a": "A", "b": "B"},
        parameters=PARAMS,
        results_path=path,
        progress=False,
    )
    records = [json.loads(ln) for ln in path.read_text().splitlines()]
    assert sorted((r["key"], r["ok"]) for r in records) == [("a", True), ("b", True)]


def test_a_batch_killed_three_times_ends_with_each_prompt_once(tmp_path):
    # SIGKILLs from a separate process at seeded moments, plus one torn write: the file must
    # end with every prompt exactly once and no corrupt line. 2 ms per token: the batch lasts
    # long enough (100 prompts x 16 ms / 4 workers) for three kills to land inside it.
    with start(latency_ms_per_token=2) as api:
        figures = bench.kill_and_resume(
            api.url, tmp_path / "r.jsonl", n=100, kills=3, seed=3, max_delay=0.05, torn_every=2
        )
    assert figures["kill_resume_kills"] == 3
    assert figures["kill_resume_torn_writes"] == 1
    assert figures["kill_resume_lost"] == 0
    assert figures["kill_resume_duplicates"] == 0
    assert figures["kill_resume_corrupt_lines"] == 0
