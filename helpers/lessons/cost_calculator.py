"""The pricing notebook's calculator: serverless plans against one dedicated endpoint.

``compare_options`` does the work in plain Python; ``cost_calculator`` wires ipywidgets to it.
The Free plan's credits default to the newest source ("None"); the reading of 2026-08-22
(0.10 USD, "subject to change") stays selectable.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from . import pricing

PATTERNS = {
    "steady": pricing.steady,
    "business hours": pricing.business_hours,
    "bursty": pricing.bursty,
}
T4_KEY = "aws/nvidia-t4/x1"


def plan_terms(free_credits: float | None = None) -> dict[str, tuple[float, float]]:
    """Return {plan: (subscription USD/month, included credits USD/month)} from data/.

    ``free_credits`` picks one of the Free plan's sourced readings; None: the newest (0.0).
    """
    plans = pricing.load_plans()
    current = plans[(plans["era"] == "current") & (plans["date_qualifier"] == "")]
    pro = current[current["plan"] == "PRO"].iloc[0]
    free_credits = pricing.newest_free_credits(plans) if free_credits is None else free_credits
    allowed = sorted(pricing.free_credit_readings(plans)["included_credits_usd"])
    if free_credits not in allowed:
        raise ValueError(
            f"free_credits must be one of the sourced values {allowed}, got {free_credits}"
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
        return pricing.rate("aws_nvidia_t4_x1_usd_per_hour_live_api_reading")
    return pricing.endpoint_rate(instance_key)


def compare_options(
    requests_per_month: float,
    cost_per_request: float,
    instance_key: str = T4_KEY,
    replicas: int = 1,
    scale_to_zero_minutes: float | None = None,
    pattern: str = "steady",
    cold_start_minutes: float = 5.0,
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
    args = (replicas, scale_to_zero_minutes, cold_start_minutes)
    endpoint = pricing.dedicated_monthly_cost(usd_per_hour, traffic, *args)
    rows: list[tuple[str, float, float | None]] = []
    for plan, (subscription, credits) in plan_terms(free_credits).items():
        monthly = pricing.serverless_monthly_cost(
            requests_per_month, cost_per_request, subscription, credits
        )
        even = pricing.serverless_vs_dedicated_break_even(
            endpoint, cost_per_request or 1, subscription, credits
        )
        rows.append((f"serverless, {plan} plan", monthly, even if cost_per_request else math.inf))
    stz = "always on"
    if scale_to_zero_minutes is not None:
        stz = f"min_replica=0, scale to zero after {scale_to_zero_minutes:g} min"
    rows.append((f"endpoint {instance_key} × {replicas} ({stz}, {pattern})", endpoint, None))
    table = pd.DataFrame(rows, columns=["option", "monthly_usd", "break_even_vs_endpoint"])
    return table.set_index("option").round({"monthly_usd": 2, "break_even_vs_endpoint": 0})


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``compare_options``' table as a person reads it: dollars, whole requests, no NaN."""
    even = table["break_even_vs_endpoint"].map(lambda v: "–" if pd.isna(v) else f"{v:,.0f}")
    return pd.DataFrame(
        {
            "USD per month": table["monthly_usd"].map("{:,.2f}".format),
            "break-even against the endpoint (requests / month)": even,
        }
    )


def _controls(cost_per_request: float) -> dict[str, Any]:
    """Return {compare_options' argument: its ipywidgets control}."""
    import ipywidgets as w

    prices = pricing.load_endpoint_prices()
    keys = prices.loc[~prices["deprecated"], "key"].tolist()
    s = {"style": {"description_width": "150px"}}
    stz = [("off (always on)", None), ("15 min", 15.0), ("60 min", 60.0)]
    credits = [("none (newer copy)", 0.0), ("0.10 (2026-08-22)", 0.10)]  # the newest first
    return {
        "requests_per_month": w.FloatLogSlider(
            value=100_000, base=10, min=2, max=9, description="requests / month", **s
        ),
        "cost_per_request": w.FloatText(
            value=float(f"{cost_per_request:.6g}"), description="USD / request", **s
        ),
        "instance_key": w.Dropdown(options=keys, value=T4_KEY, description="instance", **s),
        "replicas": w.IntSlider(1, 1, 8, description="replicas", **s),
        "scale_to_zero_minutes": w.Dropdown(options=stz, description="scale to zero", **s),
        "pattern": w.Dropdown(options=list(PATTERNS), description="traffic", **s),
        "free_credits": w.ToggleButtons(options=credits, description="Free credits (USD)", **s),
        "t4_price": w.ToggleButtons(
            options=["docs", "live-api"], description="T4 price source", **s
        ),
    }


def cost_calculator(cost_per_request: float) -> Any:
    """Return an ipywidgets box: the controls, then the table of ``compare_options``.

    Redrawn on every change; a refused value shows a one-line message (``box.message``;
    ``box.result`` is the table on screen, or None). ``interactive`` would show a traceback.
    """
    import ipywidgets as w

    controls = _controls(cost_per_request)
    output = w.Output()
    box = w.VBox([*controls.values(), output])

    def redraw(_change: Any = None) -> None:
        box.result, box.message = None, None
        try:
            box.result = compare_options(**{n: c.value for n, c in controls.items()})
        except ValueError as error:
            said = str(error)
            for name, control in controls.items():  # argument names → the labels on screen
                said = said.replace(name, f"'{control.description}'")
            box.message = f"Cannot compute: {said}. Fix the value above."
            shown = {"output_type": "stream", "name": "stdout", "text": box.message + "\n"}
            output.outputs = (shown,)
            return
        table = readable(box.result)
        data = {"text/html": table.to_html(), "text/plain": table.to_string()}
        output.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return box
