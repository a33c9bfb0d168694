"""The pricing notebook's calculator: ipywidgets drawing ``pricing.compare_options``' table."""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import pricing
from .pricing import PATTERNS, T4_KEY, compare_options

__all__ = ["compare_options", "cost_calculator", "readable"]


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
    """Return an ipywidgets box: the controls, then ``compare_options``' table, redrawn on each
    change (``box.result``); a refused value shows one line instead (``box.message``)."""
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
