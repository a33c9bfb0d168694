"""``choose_provider()``: the router's /v1/models as a table, best first, needs respected.

The stand-in lists hub-docs' example for DeepSeek-V4-Pro (novita without structured output,
featherless-ai with nothing listed) and providers that list ``supports_tools`` alone.
"""

from __future__ import annotations

import math

import pytest

from helpers import choose_provider

MODEL = "deepseek-ai/DeepSeek-V4-Pro"


@pytest.fixture(autouse=True)
def room(stand_in, monkeypatch, tmp_path):
    """Local mode on the session's stand-in, as a room's HF_STANDIN_URL."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_STANDIN_URL", stand_in.url)
    monkeypatch.setattr("helpers.lessons.connection.connect.last", None)


def test_needing_tools_never_picks_a_provider_that_does_not_list_them():
    frame = choose_provider(needs=["tools"])
    assert len(frame) and frame["supports_tools"].eq(True).all()  # the first row included
    assert "featherless-ai" not in set(frame[frame["model"] == MODEL]["provider"])


def test_columns_and_price_order_with_unlisted_prices_last():
    frame = choose_provider(MODEL)
    assert list(frame.columns) == [
        "model",
        "provider",
        "input_price",
        "output_price",
        "context_length",
        "supports_tools",
        "supports_structured_output",
        "first_token_latency_ms",
        "throughput",
    ]
    totals = (frame["input_price"] + frame["output_price"]).tolist()
    listed = [t for t in totals if not math.isnan(t)]
    assert listed == sorted(listed) and totals[: len(listed)] == listed
    assert frame.iloc[0]["provider"] == "novita"  # 1.69 + 3.38, hub-docs' cheapest
    assert frame[frame["provider"] == "featherless-ai"]["supports_tools"].isna().all()


def test_structured_output_and_the_other_sorts():
    frame = choose_provider(MODEL, needs="structured_output", by="latency")
    assert "novita" not in set(frame["provider"])  # it lists supports_structured_output: false
    assert frame["first_token_latency_ms"].tolist() == sorted(frame["first_token_latency_ms"])
    fastest = choose_provider(MODEL, by="throughput")
    assert fastest.iloc[0]["throughput"] == fastest["throughput"].max()


def test_unknown_needs_or_sorts_are_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="structured_output"):
        choose_provider(needs=["vision"])
    with pytest.raises(ValueError, match="latency"):
        choose_provider(by="speed")
