"""The stand-in's knobs. Every knob is off by default; each instance has its own."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..client.ratelimit import RateLimitPolicy

FAULT_KINDS = ("500", "502", "503", "504", "drop")
HF_INFERENCE_USD_PER_SECOND = 0.00012
"""Hugging Face's example hardware rate for hf-inference billing (pricing-facts.md §2.4)."""
COMPUTE_SECONDS_PER_TOKEN = 0.02
"""The compute time the stand-in bills per generated token when it has no latency knob."""


@dataclass(frozen=True)
class StandInOptions:
    """How one stand-in instance behaves.

    ``router_serves_gpt2``: True serves gpt2 on the router path
    ``/hf-inference/models/openai-community/gpt2`` so that the lessons run offline; False
    answers 404 there, as the real router is reported to (hf-api-facts.md §1).
    ``tokens_without_inference``: tokens that are valid but lack the "Make calls to Inference
    Providers" permission (403 on inference routes).
    ``latency_ms_per_token``: sleep this long per generated token (streams pace their events).
    ``rate_limit``: N requests per S seconds per token, fixed window; 429 past it, with
    ``Retry-After``, ``RateLimit`` and ``RateLimit-Policy``.
    ``credits_usd``: a budget; each request costs its compute seconds at
    ``HF_INFERENCE_USD_PER_SECOND``; 402 once it is spent.
    ``cold_start_s``: 503 with ``estimated_time`` for this long after the first request.
    ``fault_rate``: the share of inference requests that fail at random with one of
    ``fault_kinds`` (500/502/503/504, or "drop": the connection breaks mid-answer), drawn from a
    generator seeded with ``seed``.
    ``stream_error_after_tokens``: streams send an error event after this many tokens.
    """

    router_serves_gpt2: bool = True
    tokens_without_inference: frozenset[str] = field(default_factory=frozenset)
    latency_ms_per_token: float = 0.0
    rate_limit: RateLimitPolicy | None = None
    credits_usd: float | None = None
    cold_start_s: float = 0.0
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    seed: int | None = None
    stream_error_after_tokens: int | None = None
    user_name: str = "standin-learner"

    def __post_init__(self) -> None:
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {self.fault_rate}")
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown or not self.fault_kinds:
            raise ValueError(f"fault_kinds must be among {FAULT_KINDS}, got {self.fault_kinds}")
        if self.latency_ms_per_token < 0 or self.cold_start_s < 0:
            raise ValueError("latency_ms_per_token and cold_start_s cannot be negative")
        if isinstance(self.rate_limit, str):
            object.__setattr__(self, "rate_limit", RateLimitPolicy.parse(self.rate_limit))
        object.__setattr__(
            self, "tokens_without_inference", frozenset(self.tokens_without_inference)
        )

    @property
    def compute_seconds_per_token(self) -> float:
        """Return the compute seconds billed per generated token."""
        return self.latency_ms_per_token / 1000.0 or COMPUTE_SECONDS_PER_TOKEN
