"""The pricing widget (helpers.lessons.cost_calculator) and the function it draws
(pricing.compare_options), with hand-computed values."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.lessons.cost_calculator import compare_options, cost_calculator, readable
from helpers.lessons.pricing import hourly_rate, plan_terms


def test_plan_terms_come_from_the_data():
    assert plan_terms(0.10) == {"Free": (0.0, 0.10), "PRO": (9.0, 2.0)}
    assert plan_terms(0.0)["Free"] == (0.0, 0.0)


def test_free_credits_default_to_the_newer_copy_of_the_pricing_page():
    # The newer (undated, after 2026-08-22) copy reads "None"; the copy of 2026-08-22 $0.10.
    assert plan_terms()["Free"] == (0.0, 0.0)
    assert compare_options(1000, 0.001).equals(compare_options(1000, 0.001, free_credits=0.0))


def test_free_credits_must_be_a_sourced_value():
    with pytest.raises(ValueError, match="sourced"):
        plan_terms(0.5)


def test_t4_price_switch():
    assert hourly_rate("aws/nvidia-t4/x1", "docs") == 0.5
    assert hourly_rate("aws/nvidia-t4/x1", "live-api") == 0.6
    assert hourly_rate("aws/nvidia-l4/x1", "live-api") == 0.8  # only the T4 has a second reading


def test_compare_options_one_million_requests_against_an_always_on_t4():
    table = compare_options(1_000_000, 0.000195, free_credits=0.10)
    # Free: 195 − 0.10; PRO: 9 + 195 − 2; endpoint: 0.5 × 730
    assert table["monthly_usd"].tolist() == [194.9, 202.0, 365.0]
    # break-even Free: (365 + 0.10) / 0.000195 = 1,872,307.7
    assert table["break_even_vs_endpoint"].iloc[0] == 1_872_308
    # with no free credits (the default): 195; break-even 365 / 0.000195 = 1,871,794.9
    default = compare_options(1_000_000, 0.000195)
    assert default["monthly_usd"].iloc[0] == 195.0
    assert default["break_even_vs_endpoint"].iloc[0] == 1_871_795


def test_compare_options_with_the_other_readings():
    table = compare_options(
        1_000_000,
        0.000195,
        free_credits=0.0,
        t4_price="live-api",
        scale_to_zero_minutes=15,
        pattern="business hours",
    )
    # 0.6 $/h × 11,000 min / 60 = 110
    assert table["monthly_usd"].iloc[-1] == 110.0
    assert table["monthly_usd"].iloc[0] == 195.0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"requests_per_month": -1}, "cannot be negative"),
        ({"replicas": 0}, "at least 1, got 0"),
        ({"pattern": "weekends"}, r"one of \['steady', 'business hours', 'bursty'\]"),
        ({"t4_price": "guess"}, "'docs' or 'live-api', got 'guess'"),
    ],
)
def test_bad_inputs_are_refused_with_the_allowed_values(bad, message):
    args = {"requests_per_month": 1000, "cost_per_request": 0.001, **bad}
    with pytest.raises(ValueError, match=message):
        compare_options(**args)


def test_widget_shows_compare_options_for_its_controls_and_follows_them():
    # Catches a control wired to the wrong argument, or a table that does not update.
    widget = cost_calculator(0.000195)
    controls = {c.description: c for c in widget.children if hasattr(c, "value")}
    pd.testing.assert_frame_equal(widget.result, compare_options(100_000, 0.000195))

    controls["replicas"].value = 2
    controls["traffic"].value = "business hours"
    controls["scale to zero"].value = 15.0

    expected = compare_options(
        100_000, 0.000195, replicas=2, pattern="business hours", scale_to_zero_minutes=15.0
    )
    pd.testing.assert_frame_equal(widget.result, expected)


def _shown(widget) -> list[dict]:
    """Return the outputs of the calculator's output area (its last child)."""
    return list(widget.children[-1].outputs)


def test_widget_shows_its_table_before_anything_is_touched():
    # Catches the ipywidgets.interactive bug: an output area that stays empty until told.
    widget = cost_calculator(0.000195)
    (shown,) = _shown(widget)
    # Free (no credits): 100,000 × 0.000195 = 19.50; PRO: 9 + 19.50 − 2 = 26.50; T4: 0.5 × 730
    assert shown["data"]["text/html"] == readable(compare_options(100_000, 0.000195)).to_html()
    for figure in ("19.50", "26.50", "365.00", "1,871,795"):
        assert figure in shown["data"]["text/html"]


def test_widget_switches_to_the_older_free_credits_reading():
    widget = cost_calculator(0.000195)
    toggle = next(c for c in widget.children if c.description == "Free credits (USD)")
    assert toggle.value == 0.0
    toggle.value = 0.10
    pd.testing.assert_frame_equal(
        widget.result, compare_options(100_000, 0.000195, free_credits=0.10)
    )


def test_a_bad_value_shows_one_line_until_it_is_fixed():
    # Catches a traceback in the output area, or a message that stays after the fix.
    widget = cost_calculator(0.000195)
    cost = next(c for c in widget.children if getattr(c, "description", "") == "USD / request")
    cost.value = -1
    (shown,) = _shown(widget)
    assert shown["output_type"] == "stream"
    assert shown["text"].count("\n") == 1 and "cannot be negative" in shown["text"]
    assert "'USD / request'" in shown["text"]  # the label on screen, not the argument name
    assert widget.result is None
    cost.value = 0.000195
    (shown,) = _shown(widget)
    assert "serverless, PRO plan" in shown["data"]["text/html"]
    assert widget.message is None
