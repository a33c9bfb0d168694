"""``choose_provider()``: the router's providers for a model, as a table, best first.

Read from ``GET /v1/models`` of the router ``connect()`` points at. A capability a provider does
not list is unknown, not absent (hub-docs ``hub-api.md``, "when available"): ``needs`` keeps only
the providers that list it.
"""

from __future__ import annotations

from typing import Any

COLUMNS = (
    "model",
    "provider",
    "input_price",
    "output_price",
    "context_length",
    "supports_tools",
    "supports_structured_output",
    "first_token_latency_ms",
    "throughput",
)
NEEDS = ("tools", "structured_output")
SORTS = {
    "price": ("total_price", True),
    "latency": ("first_token_latency_ms", True),
    "throughput": ("throughput", False),
}


def offers(models: Any) -> list[dict[str, Any]]:
    """Return one row per (model, provider) of a ``/v1/models`` body; None where not listed."""
    rows = []
    for entry in (models or {}).get("data") or []:
        for offer in entry.get("providers") or []:
            if offer.get("status", "live") != "live":
                continue
            pricing = offer.get("pricing") or {}
            row = {name: offer.get(name) for name in COLUMNS}
            row.update(
                model=entry.get("id"),
                input_price=pricing.get("input"),
                output_price=pricing.get("output"),
            )
            rows.append(row)
    return rows


def choose_provider(model: str | None = None, needs: Any = (), by: str = "price") -> Any:
    """Return a DataFrame of the live providers (of ``model``, or of all) that list ``needs`` as
    true, sorted ``by`` "price" (input plus output), "latency" or "throughput", unlisted last.
    A number a provider does not publish is NaN, a capability None: unknown, not zero or False."""
    needs = (needs,) if isinstance(needs, str) else tuple(needs)
    unknown = [n for n in needs if n not in NEEDS]
    if unknown or by not in SORTS:
        raise ValueError(f"needs takes {NEEDS} and by one of {tuple(SORTS)}; got {unknown or by!r}")
    import pandas as pd

    from ..client.session import InferenceSession
    from .connection import connect

    hf = connect.last or connect(quiet=True, export=False)
    with InferenceSession(None, retries=0, allow_plain_http=True) as session:
        models, _ = session.json("GET", f"{hf.settings.router_url}/v1/models", auth=False)
    rows = [r for r in offers(models) if model in (None, r["model"])]
    rows = [r for r in rows if all(r[f"supports_{n}"] is True for n in needs)]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["total_price"] = frame["input_price"] + frame["output_price"]
    column, ascending = SORTS[by]
    frame = frame.sort_values(column, ascending=ascending, na_position="last", kind="stable")
    return frame.drop(columns="total_price").reset_index(drop=True)
