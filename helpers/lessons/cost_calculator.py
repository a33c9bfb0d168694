"""The pricing notebook's calculator: compare serverless plans with one dedicated endpoint.

``compare_options`` does the work and is plain Python (the tests and nbmake call it);
``cost_calculator`` wires ipywidgets to it. The Free plan's credits default to the newest source
(a newer copy of hub-docs ``pricing.md`` reads "None" where the copy of 2026-08-22 reads 0.10 USD
"subject to change"); both readings stay selectable.
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

    ``free_credits`` picks between the two current readings of the Free plan: None (the
    default) follows the newer copy of the pricing page ("None": 0.0); 0.10 is the reading of
    2026-08-22.
    """
    plans = pricing.load_plans()
    current = plans[(plans["era"] == "current") & (plans["date_qualifier"] == "")]
    pro = current[current["plan"] == "PRO"].iloc[0]
    if free_credits is None:
        free_credits = pricing.newest_free_credits(plans)
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
    if instance_key == T4_KEY and t4_price == "live-api":
        return pricing.rate("aws_nvidia_t4_x1_usd_per_hour_live_api_reading")
    if t4_price not in ("docs", "live-api"):
        raise ValueError(f"t4_price must be 'docs' or 'live-api', got {t4_price!r}")
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
    """Return a table of monthly cost per option, with the break-even volume against the endpoint.

    ``free_credits`` None follows the newest reading of the Free plan (no credits, see
    ``plan_terms``).
    """
    if requests_per_month < 0 or cost_per_request < 0:
        raise ValueError("requests_per_month and cost_per_request cannot be negative")
    if replicas < 1:
        raise ValueError(f"replicas must be at least 1, got {replicas}")
    if pattern not in PATTERNS:
        raise ValueError(f"pattern must be one of {list(PATTERNS)}, got {pattern!r}")
    usd_per_hour = hourly_rate(instance_key, t4_price)
    traffic = PATTERNS[pattern]()
    endpoint = pricing.dedicated_monthly_cost(
        usd_per_hour, traffic, replicas, scale_to_zero_minutes, cold_start_minutes
    )
    rows: list[dict[str, Any]] = []
    for plan, (subscription, credits) in plan_terms(free_credits).items():
        monthly = pricing.serverless_monthly_cost(
            requests_per_month, cost_per_request, subscription, credits
        )
        even = pricing.serverless_vs_dedicated_break_even(
            endpoint, cost_per_request or 1, subscription, credits
        )
        rows.append((f"serverless, {plan} plan", monthly, even if cost_per_request else math.inf))
    stz = "always on" if scale_to_zero_minutes is None else (
        f"min_replica=0, scale to zero after {scale_to_zero_minutes:g} min")  # fmt: skip
    rows.append((f"endpoint {instance_key} × {replicas} ({stz}, {pattern})", endpoint, None))
    table = pd.DataFrame(rows, columns=["option", "monthly_usd", "break_even_vs_endpoint"])
    return table.set_index("option").round({"monthly_usd": 2, "break_even_vs_endpoint": 0})


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``compare_options``' table as a person reads it: dollars, whole requests, no NaN."""
    return pd.DataFrame(
        {
            "USD per month": table["monthly_usd"].map("{:,.2f}".format),
            "break-even against the endpoint (requests / month)": table[
                "break_even_vs_endpoint"
            ].map(lambda v: "–" if pd.isna(v) else f"{v:,.0f}"),
        }
    )


def _table_output(table: pd.DataFrame) -> dict[str, Any]:
    """Return ``table``, made readable, as one display_data output, the shape a notebook stores."""
    table = readable(table)
    return {
        "output_type": "display_data",
        "data": {"text/html": table.to_html(), "text/plain": table.to_string()},
        "metadata": {},
    }


def _message_output(text: str) -> dict[str, Any]:
    """Return ``text`` as one stdout line, the shape a notebook stores."""
    return {"output_type": "stream", "name": "stdout", "text": text + "\n"}


def cost_calculator(cost_per_request: float) -> Any:
    """Return an ipywidgets box: the controls, then the table of ``compare_options``.

    Redrawn on every change; a value ``compare_options`` refuses shows a one-line message
    instead (``box.message``; ``box.result`` is the table on screen, or None). The output is
    written directly (``Output.outputs``): ``interactive`` would show a traceback.
    """
    import ipywidgets as w

    prices = pricing.load_endpoint_prices()
    keys = prices.loc[~prices["deprecated"], "key"].tolist()
    style = {"description_width": "150px"}
    controls = {
        "requests_per_month": w.FloatLogSlider(
            value=100_000, base=10, min=2, max=9, description="requests / month", style=style
        ),
        "cost_per_request": w.FloatText(
            value=float(f"{cost_per_request:.6g}"), description="USD / request", style=style
        ),
        "instance_key": w.Dropdown(options=keys, value=T4_KEY, description="instance", style=style),
        "replicas": w.IntSlider(1, 1, 8, description="replicas", style=style),
        "scale_to_zero_minutes": w.Dropdown(
            options=[("off (always on)", None), ("15 min", 15.0), ("60 min", 60.0)],
            description="scale to zero",
            style=style,
        ),
        "pattern": w.Dropdown(options=list(PATTERNS), description="traffic", style=style),
        "free_credits": w.ToggleButtons(
            options=[("none (newer copy)", 0.0), ("0.10 (2026-08-22)", 0.10)],
            value=pricing.newest_free_credits(),
            description="Free credits (USD)",
            style=style,
        ),
        "t4_price": w.ToggleButtons(
            options=["docs", "live-api"], description="T4 price source", style=style
        ),
    }
    output = w.Output()
    box = w.VBox([*controls.values(), output])
    box.result = None
    box.message = None

    def redraw(_change: Any = None) -> None:
        values = {name: control.value for name, control in controls.items()}
        try:
            table = compare_options(**values)
        except ValueError as error:
            said = str(error)
            for name, control in controls.items():  # argument names → the labels on screen
                said = said.replace(name, f"'{control.description}'")
            box.result, box.message = None, f"Cannot compute: {said}. Fix the value above."
            output.outputs = (_message_output(box.message),)
            return
        box.result, box.message = table, None
        output.outputs = (_table_output(table),)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return box
