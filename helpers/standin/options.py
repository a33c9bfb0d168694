"""The stand-in's knobs. Every knob is off by default; each instance has its own.

Each field of ``StandInOptions`` is a keyword of ``start()`` and a flag of
``python -m helpers.standin`` with the same name (``cold_start_s`` ↔ ``--cold-start-s``).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field

from ..data import data_path
from .profiles import DEFAULT_PROFILE, profile_named

FAULT_KINDS = ("500", "502", "503", "504", "drop")
COMPUTE_SECONDS_PER_TOKEN = 0.02
"""The compute time the stand-in bills per generated token when it has no latency knob."""


@functools.cache
def hf_inference_usd_per_second() -> float:
    """Return HF's example hf-inference rate (USD per compute second) from data/."""
    with data_path("serverless_rates.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["name"] == "hf_inference_usd_per_compute_second":
                return float(row["value"])
    raise LookupError(
        "data/serverless_rates.csv has no row hf_inference_usd_per_compute_second; "
        "restore it from the repository"
    )


@dataclass(frozen=True)
class RateLimit:
    """The stand-in's rate-limit knob: ``quota`` requests per ``window`` seconds, per token.

    Written ``N/S`` on the command line and in ``start(rate_limit="N/S")``. The server
    advertises it with the IETF draft headers ``RateLimit`` and ``RateLimit-Policy``.
    """

    quota: int
    window: float

    def __post_init__(self) -> None:
        if self.quota <= 0 or self.window <= 0:
            raise ValueError(f"rate limit {self.quota}/{self.window:g}: N and S must be positive")

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Return the knob written ``N/S`` (N requests per S seconds), e.g. ``"10/1"``."""
        try:
            quota, window = text.split("/")
            return cls(int(quota), float(window))
        except ValueError as exc:
            raise ValueError(
                f"rate limit {text!r} is not N/S with N and S positive, e.g. 10/1 for 10 "
                f"requests per second ({exc})"
            ) from None

    def policy_header(self, name: str = "api") -> str:
        """Return the ``RateLimit-Policy`` header value, e.g. ``"fixed window";"api";q=2;w=5``."""
        return f'"fixed window";"{name}";q={self.quota};w={self.window:g}'

    def __str__(self) -> str:
        return f"{self.quota}/{self.window:g}"


@dataclass(frozen=True)
class StandInOptions:
    """How one stand-in instance behaves.

    ``profile`` (flag ``--profile``): ``teaching`` (default) or ``today``, see
    ``helpers.standin.profiles``. The profile gives ``router_serves_gpt2``, ``credits_usd`` and
    ``user_name`` when they are left at None, and decides whether answers may say "stand-in"
    anywhere but the ``X-Stand-In`` header.
    ``router_serves_gpt2`` (flag ``--router-serves-gpt2`` / ``--no-router-serves-gpt2``):
    True serves gpt2 on the router path ``/hf-inference/models/openai-community/gpt2`` so that
    the lessons run offline; False answers 404 there, as the real router does today, and the
    Hub's provider mapping for gpt2 is empty.
    ``tokens_without_inference``: tokens that are valid but lack the "Make calls to Inference
    Providers" permission (403 on inference routes).
    ``latency_ms_per_token``: sleep this long per generated token (streams pace their events).
    ``stream_delay_ms``: the pause before each streamed event (token) when
    ``latency_ms_per_token`` is 0; None takes the profile's (teaching: 25 ms, so a person sees a
    stream arrive; today: 0). Tests pass 0. It changes no bill and no non-streamed answer.
    ``rate_limit``: N requests per S seconds per token, fixed window; 429 past it, with
    ``Retry-After``, ``RateLimit`` and ``RateLimit-Policy``.
    ``credits_usd``: a budget (``math.inf``: unlimited); each request costs its compute seconds at HF's example
    hf-inference rate (data/serverless_rates.csv); 402 once it is spent.
    ``cold_start_s``: 503 with ``estimated_time`` for this long after the first request.
    ``fault_rate``: the share of inference requests that fail at random with one of
    ``fault_kinds`` (500/502/503/504, or "drop": the connection breaks mid-answer), drawn from a
    generator seeded with ``seed``.
    ``stream_error_after_tokens``: streams send an error event after this many tokens.
    ``user_name``: the name whoami-v2 answers and the 403 message quotes.
    """

    profile: str = DEFAULT_PROFILE
    router_serves_gpt2: bool | None = None
    tokens_without_inference: frozenset[str] = field(default_factory=frozenset)
    latency_ms_per_token: float = 0.0
    stream_delay_ms: float | None = None
    rate_limit: RateLimit | None = None
    credits_usd: float | None = None
    cold_start_s: float = 0.0
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    seed: int | None = None
    stream_error_after_tokens: int | None = None
    user_name: str | None = None

    def __post_init__(self) -> None:
        chosen = profile_named(self.profile)  # a ValueError names the known profiles
        for name in ("router_serves_gpt2", "credits_usd", "user_name", "stream_delay_ms"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, getattr(chosen, name))
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {self.fault_rate}")
        object.__setattr__(self, "fault_kinds", tuple(self.fault_kinds))
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown or not self.fault_kinds:
            raise ValueError(f"fault_kinds must be among {FAULT_KINDS}, got {self.fault_kinds}")
        if self.latency_ms_per_token < 0 or self.cold_start_s < 0 or self.stream_delay_ms < 0:
            raise ValueError(
                "latency_ms_per_token, stream_delay_ms and cold_start_s cannot be negative"
            )
        if self.credits_usd is not None and self.credits_usd < 0:
            raise ValueError(f"credits_usd cannot be negative, got {self.credits_usd}")
        if self.stream_error_after_tokens is not None and self.stream_error_after_tokens < 0:
            raise ValueError("stream_error_after_tokens cannot be negative")
        if isinstance(self.rate_limit, str):
            object.__setattr__(self, "rate_limit", RateLimit.parse(self.rate_limit))
        elif self.rate_limit is not None and not isinstance(self.rate_limit, RateLimit):
            # Any object with quota and window (e.g. the client's policy type) is accepted.
            limit = RateLimit(int(self.rate_limit.quota), float(self.rate_limit.window))
            object.__setattr__(self, "rate_limit", limit)
        object.__setattr__(
            self, "tokens_without_inference", frozenset(self.tokens_without_inference)
        )

    @property
    def stream_delay_s(self) -> float:
        """Return the pause before each streamed event, in seconds (latency wins when set)."""
        return (self.latency_ms_per_token or self.stream_delay_ms or 0.0) / 1000.0

    @property
    def compute_seconds_per_token(self) -> float:
        """Return the compute seconds billed per generated token."""
        return self.latency_ms_per_token / 1000.0 or COMPUTE_SECONDS_PER_TOKEN
