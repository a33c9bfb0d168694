"""What inference costs: serverless credits and pay-as-you-go against dedicated endpoints.

Prices come only from ``data/`` (each row with its source and date); the rules are from
notebooks/REFERENCES.md ("Pricing", "Endpoints"): serverless costs ``subscription + max(0,
requests × cost per request − included credits)``; an endpoint ``hourly rate × billed hours``,
billed per minute per replica, with scale-to-zero from its wake-up (cold start included) until
``idle timeout`` after the last request of a busy period (endpoints-docs ``autoscaling.md``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import pandas as pd

from ..data import data_path

HOURS_PER_MONTH = 730.0
MINUTES_PER_MONTH = HOURS_PER_MONTH * 60


def load_endpoint_prices() -> pd.DataFrame:
    """Return the Inference Endpoints price table, with a ``key`` like ``aws/nvidia-t4/x1``."""
    df = pd.read_csv(data_path("endpoints_pricing.csv"), dtype={"instance_size": str})
    df["key"] = df["vendor"] + "/" + df["instance_type"] + "/" + df["instance_size"]
    df["deprecated"] = df["accelerator"].str.contains("Deprecated", na=False)
    return df


def load_plans() -> pd.DataFrame:
    """Return the plans table (current and historical rows, see ``era``)."""
    return pd.read_csv(data_path("provider_plans.csv"), keep_default_na=False)


def load_rates() -> pd.DataFrame:
    """Return the other sourced figures (``serverless_rates.csv``), indexed by ``name``."""
    return pd.read_csv(data_path("serverless_rates.csv")).set_index("name")


def endpoint_rate(key: str, prices: pd.DataFrame | None = None) -> float:
    """Return the hourly price of an instance, e.g. ``endpoint_rate("aws/nvidia-t4/x1")``."""
    prices = load_endpoint_prices() if prices is None else prices
    row = prices.loc[prices["key"] == key]
    if row.empty:
        raise KeyError(
            f"No instance {key!r} in data/endpoints_pricing.csv; keys look like aws/nvidia-t4/x1"
        )
    return float(row["usd_per_hour"].iloc[0])


def free_credit_readings(plans: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the current readings of the Free plan's monthly credits, the newest last.

    Two copies of hub-docs ``pricing.md`` disagree: 0.10 USD "subject to change" (2026-08-22)
    and "None" (an undated copy newer than that, ``date_qualifier`` "after").
    """
    plans = load_plans() if plans is None else plans
    free = plans[(plans["plan"] == "Free") & (plans["era"] == "current")].copy()
    free["included_credits_usd"] = free["included_credits_usd"].astype(float)
    return free.sort_values(["valid_as_of", "date_qualifier"])  # "" sorts before "after"


def newest_free_credits(plans: pd.DataFrame | None = None) -> float:
    """Return the Free plan's monthly credits in USD as the newest source reads them (0.0)."""
    return float(free_credit_readings(plans)["included_credits_usd"].iloc[-1])


def rate(name: str, rates: pd.DataFrame | None = None) -> float:
    """Return a sourced figure from ``serverless_rates.csv`` by name."""
    rates = load_rates() if rates is None else rates
    if name not in rates.index:
        raise KeyError(f"No figure {name!r} in data/serverless_rates.csv")
    return float(rates.loc[name, "value"])


def serverless_monthly_cost(
    requests_per_month: float,
    cost_per_request: float,
    subscription: float = 0.0,
    included_credits: float = 0.0,
) -> float:
    """Return ``subscription + max(0, requests × cost − included credits)`` in USD."""
    return subscription + max(0.0, requests_per_month * cost_per_request - included_credits)


@dataclass(frozen=True)
class TrafficPattern:
    """Busy periods in a 730-hour month: ``(start minute, length in minutes)`` each."""

    name: str
    periods: tuple[tuple[float, float], ...]


def steady() -> TrafficPattern:
    """Return traffic around the clock."""
    return TrafficPattern("steady", ((0.0, MINUTES_PER_MONTH),))


def business_hours(
    hours_per_day: float = 8, days: int = 22, start_hour: float = 9
) -> TrafficPattern:
    """Return traffic ``hours_per_day`` on ``days`` weekdays (5 of every 7 days)."""
    weekdays = itertools.islice((d for d in itertools.count() if d % 7 < 5), days)
    periods = tuple((d * 1440 + start_hour * 60, hours_per_day * 60) for d in weekdays)
    return TrafficPattern(f"business hours ({hours_per_day:g} h × {days} days)", periods)


def bursty(
    bursts_per_day: int = 4, minutes_per_burst: float = 10, days: int = 30
) -> TrafficPattern:
    """Return ``bursts_per_day`` evenly spaced bursts of traffic every day."""
    gap = 1440 / bursts_per_day
    periods = tuple(
        (d * 1440 + i * gap, float(minutes_per_burst))
        for d in range(days)
        for i in range(bursts_per_day)
    )
    return TrafficPattern(f"bursty ({bursts_per_day}/day × {minutes_per_burst:g} min)", periods)


def billed_minutes(
    pattern: TrafficPattern, scale_to_zero_minutes: float | None, cold_start_minutes: float = 5.0
) -> float:
    """Return the minutes one replica is billed in a month (rounded up to whole minutes).

    With scale-to-zero each wake-up costs ``cold_start_minutes``, then the busy period, then
    ``scale_to_zero_minutes`` of idling; a period that starts before that ends keeps it up.
    """
    if scale_to_zero_minutes is None:
        return MINUTES_PER_MONTH
    total, up_until = 0.0, -math.inf
    for start, length in sorted(pattern.periods):
        end = start + length + scale_to_zero_minutes
        if start <= up_until:  # still up: extend the current run
            total += max(0.0, end - up_until)
        else:  # asleep: wake up (cold start), serve, idle
            total += cold_start_minutes + (end - start)
        up_until = max(up_until, end)
    return float(min(math.ceil(total), MINUTES_PER_MONTH))


def dedicated_monthly_cost(
    usd_per_hour: float,
    pattern: TrafficPattern | None = None,
    replicas: int = 1,
    scale_to_zero_minutes: float | None = None,
    cold_start_minutes: float = 5.0,
) -> float:
    """Return the month's cost of ``replicas`` replicas, billed per minute."""
    minutes = billed_minutes(pattern or steady(), scale_to_zero_minutes, cold_start_minutes)
    return usd_per_hour * minutes / 60 * replicas


def serverless_vs_dedicated_break_even(
    dedicated_monthly: float,
    cost_per_request: float,
    subscription: float = 0.0,
    included_credits: float = 0.0,
) -> float:
    """Return the requests a month at which serverless costs as much as ``dedicated_monthly``.

    ``(dedicated − subscription + credits) / cost per request``; 0.0 when the subscription
    alone already costs as much.
    """
    if dedicated_monthly <= subscription:
        return 0.0
    return (dedicated_monthly - subscription + included_credits) / cost_per_request
