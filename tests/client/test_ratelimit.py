"""helpers.client.ratelimit: header parsing and pacing arithmetic (with a fake clock)."""

from __future__ import annotations

import pytest

from helpers.client.ratelimit import Pacer, RateLimitPolicy, parse_policy
from helpers.standin.errors import StandInError
from helpers.standin.options import StandInOptions
from helpers.standin.state import StandInState


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"fixed window";"api";q=1000;w=300', RateLimitPolicy(1000, 300)),
        ('"fixed window";"resolvers";q=5000;w=300', RateLimitPolicy(5000, 300)),
        ('"fixed window";"api";q=10;w=0.5', RateLimitPolicy(10, 0.5)),
        ('"fixed window";"api";q=0;w=300', None),
        ("garbage", None),
        ("", None),
    ],
)
def test_parse_policy(value, expected):
    assert parse_policy({"RateLimit-Policy": value}) == expected


def test_parse_policy_absent():
    assert parse_policy({}) is None


def test_the_interval_spreads_the_quota_over_the_window():
    assert RateLimitPolicy(20, 2.0).interval == 0.1


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_pacer_spaces_calls_by_interval_plus_margin():
    clock = FakeClock()
    pacer = Pacer(0.5, margin=0.1, clock=clock, sleep=clock.sleep)
    waits = [pacer.wait() for _ in range(4)]
    assert waits[0] == 0
    assert waits[1:] == pytest.approx([0.55, 0.55, 0.55])
    assert clock.now == pytest.approx(100 + 3 * 0.55)


def test_pacer_does_not_wait_when_calls_are_already_slow():
    clock = FakeClock()
    pacer = Pacer(0.5, margin=0.0, clock=clock, sleep=clock.sleep)
    pacer.wait()
    clock.now += 2
    assert pacer.wait() == 0


def test_adopting_a_policy_spaces_calls_already_sent():
    clock = FakeClock()
    pacer = Pacer(0.0, margin=0.0, clock=clock, sleep=clock.sleep)
    pacer.wait()  # sent before the policy was known
    pacer.set_policy(RateLimitPolicy(10, 1))
    assert pacer.wait() == pytest.approx(0.1)


def test_adopting_a_policy_counts_from_the_answer_not_from_the_send():
    # Bug caught (issue 18, step 8): the slot after the probe was counted from the probe's send
    # time, so a probe that took 200 ms left the next request only 6 ms after its answer.
    clock = FakeClock()
    pacer = Pacer(0.0, margin=0.03, clock=clock, sleep=clock.sleep)
    pacer.wait()  # the probe leaves at 100.0
    clock.now += 0.2  # ... and its answer comes back at 100.2
    pacer.set_policy(RateLimitPolicy(5, 1))
    assert pacer.wait() == pytest.approx(0.206)  # one paced interval after the answer


@pytest.mark.parametrize("probe_seconds", [0.0, 0.012, 0.207, 1.5])
def test_a_paced_batch_fits_the_window_a_slow_probe_opened(probe_seconds):
    # The server opens its window when the probe ARRIVES (a fresh server: 12-207 ms later).
    clock = FakeClock()
    server = StandInState(StandInOptions(rate_limit="5/1"), clock=clock)
    pacer = Pacer(0.0, clock=clock, sleep=clock.sleep)
    pacer.wait()
    clock.now += probe_seconds
    pacer.set_policy(parse_policy(server.rate_limit_headers("hf_learner")))
    answered = 1
    for _ in range(14):
        pacer.wait()
        clock.now += 0.001  # each later request reaches the server 1 ms after it leaves
        try:
            server.rate_limit_headers("hf_learner")
        except StandInError as error:
            pytest.fail(f"request {answered + 1} met a {error.status}")
        answered += 1
    assert answered == 15


def test_pause_until_holds_everyone_back():
    clock = FakeClock()
    pacer = Pacer(0.0, clock=clock, sleep=clock.sleep)
    pacer.pause_until(3.0)
    assert pacer.wait() == pytest.approx(3.0)
