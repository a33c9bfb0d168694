"""What inference costs: serverless plans against dedicated endpoints (the calculator's sums).

Prices come only from ``data/`` (each row with its source and date); the rules are from
notebooks/REFERENCES.md ("Pricing", "Endpoints"): serverless costs ``subscription + max(0,
requests × cost per request − included credits)``; an endpoint ``hourly rate × billed hours``,
billed per minute per replica, scale-to-zero from each wake-up (cold start) until the idle timeout.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import pandas as pd

from ..data import data_path

HOURS_PER_MONTH = 730.0
MINUTES_PER_MONTH = HOURS_PER_MONTH * 60
T4_KEY = "aws/nvidia-t4/x1"


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


def endpoint_rate(key: str) -> float:
    """Return the hourly price of an instance, e.g. ``endpoint_rate("aws/nvidia-t4/x1")``."""
    prices = load_endpoint_prices().set_index("key")["usd_per_hour"]
    if key not in prices:
        raise KeyError(
            f"No instance {key!r} in data/endpoints_pricing.csv; keys look like {T4_KEY}"
        )
    return float(prices[key])


def free_credit_readings() -> list[float]:
    """Return the Free plan's monthly credits as the sources read them, the newest last: 0.10 USD
    (hub-docs ``pricing.md``, 2026-08-22), then "None" (a newer copy, ``date_qualifier`` after)."""
    plans = load_plans()
    free = plans[(plans["plan"] == "Free") & (plans["era"] == "current")]
    free = free.sort_values(["valid_as_of", "date_qualifier"])  # "" sorts before "after"
    return free["included_credits_usd"].astype(float).tolist()


def plan_terms(free_credits: float | None = None) -> dict[str, tuple[float, float]]:
    """Return {plan: (subscription, included credits)} in USD a month; ``free_credits`` picks one
    of the Free plan's sourced readings (None: the newest)."""
    readings, plans = free_credit_readings(), load_plans()
    pro = plans[(plans["plan"] == "PRO") & (plans["era"] == "current")].iloc[0]
    free_credits = readings[-1] if free_credits is None else free_credits
    if free_credits not in readings:
        raise ValueError(
            f"free_credits must be one of the sourced values {sorted(readings)}, got {free_credits}"
        )
    return {
        "Free": (0.0, free_credits),
        "PRO": (float(pro["usd_per_month"]), float(pro["included_credits_usd"])),
    }


def hourly_rate(instance_key: str, t4_price: str = "docs") -> float:
    """Return an instance's hourly price; for the AWS T4, ``t4_price`` picks "docs" or "live-api"."""
    if t4_price not in ("docs", "live-api"):
        raise ValueError(f"t4_price must be 'docs' or 'live-api', got {t4_price!r}")
    if instance_key == T4_KEY and t4_price == "live-api":
        return float(load_rates().loc["aws_nvidia_t4_x1_usd_per_hour_live_api_reading", "value"])
    return endpoint_rate(instance_key)


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


def business_hours(hours_per_day: float = 8, days: int = 22) -> TrafficPattern:
    """Return traffic ``hours_per_day`` from 9:00 on ``days`` weekdays (5 of every 7 days)."""
    weekdays = itertools.islice((d for d in itertools.count() if d % 7 < 5), days)
    periods = tuple((d * 1440 + 9 * 60, hours_per_day * 60) for d in weekdays)
    return TrafficPattern(f"business hours ({hours_per_day:g} h × {days} days)", periods)


def bursty(bursts_per_day: int = 4, minutes_per_burst: float = 10) -> TrafficPattern:
    """Return ``bursts_per_day`` evenly spaced bursts of traffic every day for 30 days."""
    starts = (
        d * 1440 + i * 1440 / bursts_per_day for d in range(30) for i in range(bursts_per_day)
    )
    periods = tuple((start, float(minutes_per_burst)) for start in starts)
    return TrafficPattern(f"bursty ({bursts_per_day}/day × {minutes_per_burst:g} min)", periods)


PATTERNS = {"steady": steady, "business hours": business_hours, "bursty": bursty}


def billed_minutes(
    pattern: TrafficPattern, scale_to_zero_minutes: float | None, cold_start_minutes: float = 5.0
) -> float:
    """Return the minutes one replica is billed in a month, rounded up: with scale-to-zero, each
    wake-up's cold start, the busy period, then the idle timeout (a period within it stays up)."""
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
    """Return the requests a month at which serverless costs ``dedicated_monthly``: ``(dedicated
    − subscription + credits) / cost``; 0.0 when the subscription alone costs as much."""
    if dedicated_monthly <= subscription:
        return 0.0
    return (dedicated_monthly - subscription + included_credits) / cost_per_request


def compare_options(
    requests_per_month: float,
    cost_per_request: float,
    instance_key: str = T4_KEY,
    replicas: int = 1,
    scale_to_zero_minutes: float | None = None,
    pattern: str = "steady",
    free_credits: float | None = None,
    t4_price: str = "docs",
) -> pd.DataFrame:
    """Return a table of monthly cost per option, with the break-even volume against the endpoint."""
    if requests_per_month < 0 or cost_per_request < 0:
        raise ValueError("requests_per_month and cost_per_request cannot be negative")
    if replicas < 1:
        raise ValueError(f"replicas must be at least 1, got {replicas}")
    if pattern not in PATTERNS:
        raise ValueError(f"pattern must be one of {list(PATTERNS)}, got {pattern!r}")
    usd_per_hour, traffic = hourly_rate(instance_key, t4_price), PATTERNS[pattern]()
    endpoint = dedicated_monthly_cost(usd_per_hour, traffic, replicas, scale_to_zero_minutes)
    rows: list[tuple[str, float, float | None]] = []
    for plan, (subscription, credits) in plan_terms(free_credits).items():
        monthly = serverless_monthly_cost(
            requests_per_month, cost_per_request, subscription, credits
        )
        even = serverless_vs_dedicated_break_even(
            endpoint, cost_per_request or 1, subscription, credits
        )
        rows.append((f"serverless, {plan} plan", monthly, even if cost_per_request else math.inf))
    stz = "always on"
    if scale_to_zero_minutes is not None:
        stz = f"min_replica=0, scale to zero after {scale_to_zero_minutes:g} min"
    rows.append((f"endpoint {instance_key} × {replicas} ({stz}, {pattern})", endpoint, None))
    table = pd.DataFrame(rows, columns=["option", "monthly_usd", "break_even_vs_endpoint"])
    return table.set_index("option").round({"monthly_usd": 2, "break_even_vs_endpoint": 0})
