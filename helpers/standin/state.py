"""What a stand-in instance remembers between requests: windows, credits, warm-up, faults, answers;
time comes from ``clock`` (tests inject a fake: windows need no sleeps). Thread-safe."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from ..contract import PAYMENT_REQUIRED_MESSAGE
from .errors import not_found, proxy_error
from .options import StandInOptions, hf_inference_usd_per_second

FAULT_BODIES = {
    "500": "Internal Error, please report to us",
    "502": "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>",
    "503": "<html><head><title>503 Service Temporarily Unavailable</title></head></html>",
    "504": "504 Server Error: Gateway Timeout",
}
"""The injected faults' bodies: JSON ``{"error"}`` from the proxy, HTML from the load balancer."""
MAX_ROUTES_COUNTED = 10_000  # distinct answers counted: memory stays bounded


class Admission(NamedTuple):
    """A request that may be served: its token, headers to add, and whether to drop it."""

    token: str
    headers: dict[str, str]
    drop: bool


class StandInState:
    """Mutable per-instance state behind the knobs."""

    def __init__(self, options: StandInOptions, clock: Callable[[], float] = time.monotonic):
        self.options, self.clock, self._lock = options, clock, threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}
        self.spent_usd = 0.0  # credits billed so far
        self._first_request: float | None = None
        self._random = random.Random(options.seed)
        self._answered: Counter[str] = Counter()

    def rate_limit_headers(self, token: str) -> dict[str, str]:
        """Count a request for ``token``; return the RateLimit headers, or raise the 429."""
        policy = self.options.rate_limit
        if policy is None:
            return {}
        now = self.clock()
        with self._lock:
            start, used = self._windows.get(token, (now, 0))
            if now - start >= policy.window:
                start, used = now, 0
            reset = math.ceil(max(0.0, start + policy.window - now))
            headers = {"RateLimit-Policy": policy.policy_header()}
            if used >= policy.quota:
                headers |= {"Retry-After": str(max(1, reset)), "RateLimit": f'"api";r=0;t={reset}'}
                message = "Rate limit reached. Slow down and retry after the window resets."
                raise proxy_error(429, message, headers=headers)
            self._windows[token] = (start, used + 1)
        return headers | {"RateLimit": f'"api";r={policy.quota - used - 1};t={reset}'}

    def record_answer(self, method: str, path: str, status: int) -> None:
        """Count one answer as ``"POST /path 200"`` (at most ``MAX_ROUTES_COUNTED`` kinds)."""
        key = f"{method} {path} {status}"
        with self._lock:
            if key in self._answered or len(self._answered) < MAX_ROUTES_COUNTED:
                self._answered[key] += 1

    def answered(self) -> Counter[str]:
        """Return a copy of the answers counted so far (the live rehearsal reads it)."""
        with self._lock:
            return Counter(self._answered)

    def charge(self, generated_tokens: int) -> tuple[float, float | None]:
        """Bill a request; return (compute seconds, credits left in USD or None)."""
        seconds = generated_tokens * self.options.compute_seconds_per_token
        budget = self.options.credits_usd
        with self._lock:
            self.spent_usd += seconds * hf_inference_usd_per_second()
            return seconds, None if budget is None else max(0.0, budget - self.spent_usd)

    def admit(self, token: str, model_id: str | None) -> Admission:
        """Count a request and return its Admission, or raise 429, 402, 404 (``model_id`` None),
        503 (cold start) or an injected fault, in that order."""
        headers = self.rate_limit_headers(token)
        budget, now = self.options.credits_usd, self.clock()
        with self._lock:
            if budget is not None and self.spent_usd >= budget:
                raise proxy_error(402, PAYMENT_REQUIRED_MESSAGE)
            if model_id is None:
                raise not_found()
            self._first_request = now if self._first_request is None else self._first_request
            loading = self.options.cold_start_s - (now - self._first_request)
            if loading > 0:
                message = f"Model {model_id} is currently loading"
                raise proxy_error(503, message, extra={"estimated_time": round(loading, 2)})
            faulty = self.options.fault_rate and self._random.random() < self.options.fault_rate
            fault = self._random.choice(self.options.fault_kinds) if faulty else "none"
        if fault in FAULT_BODIES:
            html = FAULT_BODIES[fault].startswith("<html>")
            more = dict(surface="text", headers={"Content-Type": "text/html"}) if html else {}
            raise proxy_error(int(fault), FAULT_BODIES[fault], **more)
        return Admission(token, headers, drop=fault == "drop")
