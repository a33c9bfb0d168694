"""helpers.lessons.pricing against values computed by hand (the arithmetic is in each comment)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.lessons import pricing as p


def test_docs_example_compute_billing():
    # pricing.md: 10 s at $0.00012/s is billed $0.0012
    assert pytest.approx(0.0012) == 10 * 0.00012


def test_token_billing_500_in_200_out_at_gpt_4o_mini_prices():
    # (500 × 0.15 + 200 × 0.60) / 1e6 = 195 / 1e6
    assert pytest.approx(0.000195) == (500 * 0.15 + 200 * 0.60) / 1e6


def test_token_billing_at_the_docs_deepseek_example_prices():
    # (500 × 1.69 + 200 × 3.38) / 1e6 = (845 + 676) / 1e6
    assert pytest.approx(0.001521) == (500 * 1.69 + 200 * 3.38) / 1e6


@pytest.mark.parametrize(
    ("requests", "cost", "subscription", "credits", "expected"),
    [
        (100_000, 0.0001, 9, 2, 17.0),  # 9 + (10 − 2)
        (10_000, 0.0001, 9, 2, 9.0),  # usage 1 < credits 2: only the subscription
        (1_000, 0.0001, 0, 0.10, 0.0),  # usage 0.10 = the free credits
        (2_000, 0.0001, 0, 0.10, 0.10),  # usage 0.20 − 0.10
        (0, 0.5, 9, 2, 9.0),
    ],
)
def test_serverless_monthly_cost(requests, cost, subscription, credits, expected):
    assert p.serverless_monthly_cost(requests, cost, subscription, credits) == pytest.approx(
        expected
    )


def test_always_on_cpu_endpoint_and_the_docs_slip():
    rate = p.endpoint_rate("aws/intel-spr/x2")
    assert rate == 0.067
    assert p.dedicated_monthly_cost(rate) == pytest.approx(48.91)  # 0.067 × 730
    assert pytest.approx(46.72) == 0.064 * 730 * 1  # what the docs computed


def test_docs_advanced_example_t4_with_bursts_to_three_replicas():
    # $0.5/h, 1 replica always, 2 more for 15 minutes of every hour: 0.5 × (730 + 182.5 × 2)
    assert 0.5 * (730 * 1 + 730 / 4 * 2) == 547.5


@pytest.mark.parametrize(
    ("key", "monthly"),
    [
        ("aws/nvidia-t4/x1", 365.0),
        ("gcp/nvidia-l4/x1", 511.0),
        ("aws/nvidia-l4/x1", 584.0),
        ("aws/nvidia-a10g/x1", 730.0),
        ("aws/nvidia-h200/x1", 3650.0),
    ],
)
def test_always_on_gpu_endpoints_match_the_research_notes(key, monthly):
    assert p.dedicated_monthly_cost(p.endpoint_rate(key)) == pytest.approx(monthly)


def test_business_hours_with_scale_to_zero():
    # 22 days × (5 cold start + 480 busy + 15 idle) = 11,000 min = 183.33 h
    pattern = p.business_hours(hours_per_day=8, days=22)
    assert p.billed_minutes(pattern, 15, cold_start_minutes=5) == 11_000
    # with a 60-minute timeout: 22 × 545 = 11,990 min
    assert p.billed_minutes(pattern, 60, cold_start_minutes=5) == 11_990
    assert p.dedicated_monthly_cost(0.5, pattern, scale_to_zero_minutes=15) == pytest.approx(
        91.67, abs=0.01
    )


def test_bursty_traffic_with_scale_to_zero():
    # 30 days × 4 bursts × (5 + 10 + 15) = 3,600 min = 60 h
    assert p.billed_minutes(p.bursty(4, 10), 15) == 3_600


def test_busy_periods_closer_than_the_timeout_share_one_wake_up():
    pattern = p.TrafficPattern("two close bursts", ((0, 10), (30, 10)))
    # wake: 5 + (0 → 70); second burst starts at 30 < 70, runs to 100: + 30 → 105
    assert p.billed_minutes(pattern, 60, cold_start_minutes=5) == 105


def test_no_scale_to_zero_bills_the_whole_month_per_replica():
    assert p.dedicated_monthly_cost(0.5, p.bursty(), replicas=2) == pytest.approx(730.0)


def test_billing_rounds_up_to_whole_minutes():
    pattern = p.TrafficPattern("short", ((0, 0.2),))
    assert p.billed_minutes(pattern, 0.5, cold_start_minutes=0.1) == 1


def test_break_even_closed_form_against_a_t4():
    # 365 / 0.000195 = 1,871,794.9 requests a month
    assert p.serverless_vs_dedicated_break_even(365, 0.000195) == pytest.approx(
        1_871_794.87, abs=0.01
    )
    # with the free credits: (365 + 0.10) / 0.000195
    assert p.serverless_vs_dedicated_break_even(365, 0.000195, 0, 0.10) == pytest.approx(
        1_872_307.69, abs=0.01
    )
    # DeepSeek docs example: 365 / 0.001521 ≈ 239,974
    assert p.serverless_vs_dedicated_break_even(365, 0.001521) == pytest.approx(239_973.7, abs=0.1)


@settings(deadline=None, derandomize=True, database=None)  # the same examples every run, untimed:
@given(  # a 200 ms deadline failed a run whose cores were busy with notebooks (2026-12-03)
    dedicated=st.floats(10, 10_000),
    cost=st.floats(1e-6, 1.0),
    subscription=st.sampled_from([0.0, 9.0]),
    credits=st.sampled_from([0.0, 0.10, 2.0]),
)
def test_at_the_break_even_volume_serverless_costs_what_the_endpoint_costs(
    dedicated, cost, subscription, credits
):
    # Catches a sign slip in the closed form (e.g. − credits instead of + credits).
    volume = p.serverless_vs_dedicated_break_even(dedicated, cost, subscription, credits)
    assert p.serverless_monthly_cost(volume, cost, subscription, credits) == pytest.approx(
        dedicated
    )


def test_a_subscription_dearer_than_the_endpoint_never_breaks_even():
    assert p.serverless_vs_dedicated_break_even(5, 0.001, subscription=9) == 0.0


def test_unknown_instance_names_the_expected_form():
    with pytest.raises(KeyError, match="aws/nvidia-t4/x1"):
        p.endpoint_rate("nvidia-t4")
