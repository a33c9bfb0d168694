"""The price tables in data/: schema, a source and a date on every row, staleness report."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from helpers.lessons import pricing

AUDITED = date(2026, 11, 25)
"""When the price tables were last checked against their sources."""


def test_endpoint_table_schema_and_size():
    df = pricing.load_endpoint_prices()
    expected = {
        "vendor",
        "instance_type",
        "instance_size",
        "accelerator",
        "accelerator_count",
        "accelerator_memory_gb",
        "vcpus",
        "memory_gb",
        "usd_per_hour",
        "source_url",
        "valid_as_of",
    }
    assert expected <= set(df.columns)
    assert len(df) == 55
    assert (df["usd_per_hour"] > 0).all()
    assert df["key"].is_unique


@pytest.mark.parametrize("loader", [pricing.load_endpoint_prices, pricing.load_plans])
def test_every_row_has_a_source_and_a_date(loader):
    df = loader()
    assert df["source_url"].astype(str).str.startswith("https://").all()
    dates = pd.to_datetime(df["valid_as_of"], format="%Y-%m-%d", errors="coerce")
    assert dates.notna().all(), df.loc[dates.isna()]


def test_other_figures_have_a_source_and_a_date():
    df = pricing.load_rates()
    assert df["source_url"].str.startswith("https://").all()
    assert pd.to_datetime(df["valid_as_of"], format="%Y-%m-%d", errors="coerce").notna().all()
    assert (df["value"] > 0).all()


def test_plans_mark_current_and_history():
    plans = pricing.load_plans()
    assert set(plans["era"]) == {"current", "history"}
    assert set(plans["date_qualifier"]) <= {"", "after"}
    current_free = plans.query("plan == 'Free' and era == 'current'")
    assert sorted(current_free["included_credits_usd"].astype(float)) == [0.0, 0.10]


def test_the_newest_free_reading_is_the_newer_copy_that_says_none():
    assert pricing.free_credit_readings() == [0.10, 0.0]  # 2026-08-22, then the newer copy


def test_figures_match_the_research_copy(shared_reference):
    ours = pricing.load_endpoint_prices().drop(columns=["key", "deprecated"])
    theirs = pd.read_csv(shared_reference / "endpoints_pricing.csv", dtype={"instance_size": str})
    pd.testing.assert_frame_equal(ours, theirs)


def stale_rows(df: pd.DataFrame, today: date, max_age_days: int = 365) -> pd.DataFrame:
    """The rows whose ``valid_as_of`` is more than ``max_age_days`` before ``today``."""
    age = (pd.Timestamp(today) - pd.to_datetime(df["valid_as_of"], errors="coerce")).dt.days
    return df.loc[age > max_age_days]


def test_stale_rows_are_the_ones_older_than_a_year():
    df = pd.DataFrame({"valid_as_of": ["2026-08-22", "2025-07-01", "2024-10-04", "not a date"]})
    assert stale_rows(df, AUDITED).index.tolist() == [1, 2]


@pytest.mark.parametrize(
    "current",
    [
        pricing.load_endpoint_prices,
        lambda: pricing.load_plans().query("era == 'current'"),
        pricing.load_rates,
    ],
    ids=["endpoints", "current plans", "other figures"],
)
def test_no_current_figure_was_older_than_a_year_at_the_last_audit(current):
    # Catches a row added as current with an old reading. Move AUDITED when you re-check the
    # prices against their sources.
    assert stale_rows(current(), AUDITED).empty
