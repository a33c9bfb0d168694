"""The stand-in's knobs (``StandInOptions``), all off by default, one set per instance: each field
is a keyword of ``start()`` and a flag of ``python -m helpers.standin`` (``cold_start_s`` ↔
``--cold-start-s``), its metadata the flag's argparse settings."""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
from dataclasses import dataclass, field
from typing import Any

from ..data import data_path
from .profiles import DEFAULT_PROFILE, PROFILES, profile_named

FAULT_KINDS = ("500", "502", "503", "504", "drop")


@functools.cache
def hf_inference_usd_per_second() -> float:
    """Return HF's example hf-inference rate (USD per compute second) from data/."""
    with data_path("serverless_rates.csv").open(encoding="utf-8", newline="") as f:
        rates = {row["name"]: float(row["value"]) for row in csv.DictReader(f)}
    return rates["hf_inference_usd_per_compute_second"]


@dataclass(frozen=True)
class RateLimit:
    """``quota`` requests per ``window`` seconds per token, written ``N/S`` (``"10/1"``)."""

    quota: int
    window: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Return the knob written ``N/S``: N requests per S seconds, both positive."""
        quota, _, window = text.partition("/")
        with contextlib.suppress(ValueError):
            if int(quota) > 0 and float(window) > 0:
                return cls(int(quota), float(window))
        raise ValueError(f"rate limit {text!r} is not N/S with N and S positive")

    def policy_header(self) -> str:
        """Return the ``RateLimit-Policy`` value, e.g. ``"fixed window";"api";q=2;w=5``."""
        return f'"fixed window";"api";q={self.quota};w={self.window:g}'


def knob(default: Any, help: str, **argparse_settings: Any) -> Any:
    """Return a StandInOptions field: its default, and its flag's help and argparse settings."""
    return field(default=default, metadata={"help": help, **argparse_settings})


@dataclass(frozen=True)
class StandInOptions:
    """How one stand-in instance behaves; a None knob takes the profile's value (``profiles.py``)."""

    profile: str = knob(DEFAULT_PROFILE, "teaching or today", choices=sorted(PROFILES))
    router_serves_gpt2: bool | None = knob(
        None, "gpt2 on /hf-inference/... (else 404)", action=argparse.BooleanOptionalAction
    )
    tokens_without_inference: frozenset[str] = knob(
        frozenset(), "valid tokens without the Inference Providers permission (403)", nargs="*"
    )
    latency_ms_per_token: float = knob(0.0, "sleep per generated token", type=float)
    stream_delay_ms: float | None = knob(None, "pause before each streamed token", type=float)
    rate_limit: RateLimit | None = knob(None, "N/S: N requests per S seconds per token (then 429)")
    credits_usd: float | None = knob(None, "budget; 402 once spent (inf: none)", type=float)
    cold_start_s: float = knob(0.0, "503 'currently loading' this long at first", type=float)
    fault_rate: float = knob(0.0, "share of inference requests that fail at random", type=float)
    fault_kinds: tuple[str, ...] = knob(FAULT_KINDS, ",".join(FAULT_KINDS))
    seed: int | None = knob(None, "seed of the fault generator", type=int)
    stream_error_after_tokens: int | None = knob(None, "error event after N tokens", type=int)
    user_name: str | None = knob(None, "the user whoami-v2 names and the 403 quotes")

    def __post_init__(self) -> None:
        row = profile_named(self.profile)._asdict()
        fixed = {k: v for k, v in row.items() if getattr(self, k, 0) is None}  # the row fills Nones
        kinds = self.fault_kinds
        fixed["fault_kinds"] = tuple(kinds.split(",") if isinstance(kinds, str) else kinds)
        fixed["tokens_without_inference"] = frozenset(self.tokens_without_inference)
        if isinstance(self.rate_limit, str):
            fixed["rate_limit"] = RateLimit.parse(self.rate_limit)
        for name, value in fixed.items():
            object.__setattr__(self, name, value)
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {self.fault_rate}")
        if not self.fault_kinds or set(self.fault_kinds) - set(FAULT_KINDS):
            raise ValueError(f"fault_kinds must be among {FAULT_KINDS}, got {self.fault_kinds}")
        for name in NON_NEGATIVE:
            if (getattr(self, name) or 0) < 0:
                raise ValueError(f"{name} cannot be negative, got {getattr(self, name)}")

    @property
    def stream_delay_s(self) -> float:
        """Return the pause before each streamed event, in seconds (latency wins when set)."""
        return (self.latency_ms_per_token or self.stream_delay_ms or 0.0) / 1000.0

    @property
    def compute_seconds_per_token(self) -> float:
        """Return the compute seconds billed per generated token (20 ms without a latency knob)."""
        return self.latency_ms_per_token / 1000.0 or 0.02


NON_NEGATIVE = ("latency_ms_per_token", "stream_delay_ms", "cold_start_s", "credits_usd")
