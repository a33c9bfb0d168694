"""The stand-in's knobs. Every knob is off by default; each instance has its own."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StandInOptions:
    """How one stand-in instance behaves.

    ``router_serves_gpt2``: True serves gpt2 on the router path
    ``/hf-inference/models/openai-community/gpt2`` so that the lessons run offline; False
    answers 404 there, as the real router is reported to (hf-api-facts.md §1).
    ``tokens_without_inference``: tokens that are valid but lack the "Make calls to Inference
    Providers" permission (403 on inference routes).
    ``latency_ms_per_token``: sleep this long per generated token (streams pace their events).
    """

    router_serves_gpt2: bool = True
    tokens_without_inference: frozenset[str] = field(default_factory=frozenset)
    latency_ms_per_token: float = 0.0
    user_name: str = "standin-learner"
