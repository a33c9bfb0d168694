"""Rate limits: reading what the server advertises, and pacing requests to it.

The Hub advertises limits on its API routes with the IETF draft headers (hub-docs
``docs/hub/rate-limits.md``): ``RateLimit-Policy: "fixed window";"api";q=<quota>;w=<seconds>``.
No format is published for inference routes (notebooks/REFERENCES.md, "Claims with secondary
sources only"); the stand-in sends these headers so the pacing lesson has something to read.
``Pacer`` spaces requests so that a batch stays under ``quota`` per ``window``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_PARAM = re.compile(r"\b([a-z]+)=([0-9]+(?:\.[0-9]+)?)")


def _params(value: str | None) -> dict[str, float]:
    return {k: float(v) for k, v in _PARAM.findall(value or "")}


@dataclass(frozen=True)
class RateLimitPolicy:
    """``quota`` requests per ``window`` seconds."""

    quota: int
    window: float

    @property
    def interval(self) -> float:
        """Return the seconds between requests that use the whole quota evenly."""
        return self.window / self.quota

    def header(self, name: str = "api") -> str:
        """Return this policy as a ``RateLimit-Policy`` header value."""
        return f'"fixed window";"{name}";q={self.quota};w={self.window:g}'

    @classmethod
    def parse(cls, text: str) -> RateLimitPolicy:
        """Return the policy written ``N/S`` (N requests per S seconds), e.g. ``"10/1"``."""
        try:
            quota, window = text.split("/")
            policy = cls(int(quota), float(window))
        except ValueError:
            raise ValueError(f"{text!r} is not N/S, e.g. 10/1 for 10 requests per second") from None
        if policy.quota <= 0 or policy.window <= 0:
            raise ValueError(f"{text!r}: both N and S must be positive")
        return policy


def parse_policy(headers: dict[str, str]) -> RateLimitPolicy | None:
    """Return the policy from a ``RateLimit-Policy`` header, or None when absent or unreadable."""
    lower = {k.lower(): v for k, v in headers.items()}
    values = _params(lower.get("ratelimit-policy"))
    if values.get("q", 0) > 0 and values.get("w", 0) > 0:
        return RateLimitPolicy(int(values["q"]), values["w"])
    return None


class Pacer:
    """Spaces calls to ``wait()`` at least ``interval`` seconds apart, across threads.

    ``margin`` (0.03 = 3 % slower than the limit) absorbs the jitter between the moment a
    request leaves here and the moment the server counts it.
    """

    def __init__(
        self,
        interval: float = 0.0,
        margin: float = 0.03,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.margin = margin
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._last = 0.0
        self._lock = threading.Lock()

    def set_policy(self, policy: RateLimitPolicy) -> None:
        """Adopt ``policy`` (e.g. the one the server advertised on its first answer).

        The next slot is one interval after *now*, the moment the policy is adopted, and never
        before one interval after the last slot handed out. A server opens its window when a
        request arrives, not when it was sent: a probe that took 200 ms to reach a server still
        starting opened the window 200 ms after it left here, and counting from its send time
        would squeeze one request too many into that window.
        """
        with self._lock:
            self.interval = policy.interval
            step = self.interval * (1 + self.margin)
            self._next = max(self._next, self._last + step, self.clock() + step)

    def wait(self) -> float:
        """Block until this caller's slot; return the seconds waited."""
        with self._lock:
            now = self.clock()
            slot = max(now, self._next)
            self._last = slot
            self._next = slot + self.interval * (1 + self.margin)
        delay = slot - now
        if delay > 0:
            self.sleep(delay)
        return delay

    def pause_until(self, seconds_from_now: float) -> None:
        """Hold every caller back for ``seconds_from_now`` (after a 429 with Retry-After)."""
        with self._lock:
            self._next = max(self._next, self.clock() + seconds_from_now)
