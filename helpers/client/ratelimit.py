"""Rate limits: reading what the server advertises, and pacing requests to it.

The Hub advertises limits with the IETF draft header ``RateLimit-Policy: "fixed window";"api";
q=<quota>;w=<seconds>`` (hub-docs ``docs/hub/rate-limits.md``); no format is published for
inference routes, so the stand-in sends the same. ``Pacer`` keeps a batch under the quota.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimitPolicy:
    """``quota`` requests per ``window`` seconds."""

    quota: int
    window: float

    interval = property(lambda self: self.window / self.quota, doc="Seconds between requests.")


def parse_policy(headers: dict[str, str]) -> RateLimitPolicy | None:
    """Return the policy from a ``RateLimit-Policy`` header, or None when absent or unreadable."""
    value = next((v for k, v in headers.items() if k.lower() == "ratelimit-policy"), "")
    found = {k: float(v) for k, v in re.findall(r"\b([qw])=([0-9]+(?:\.[0-9]+)?)", value)}
    if found.get("q", 0) > 0 and found.get("w", 0) > 0:
        return RateLimitPolicy(int(found["q"]), found["w"])
    return None


class Pacer:
    """Spaces calls to ``wait()`` ``interval`` seconds apart (plus a 3 % ``margin``), across threads.

    ``clock`` and ``sleep`` may be fakes."""

    def __init__(
        self,
        interval: float = 0.0,
        margin: float = 0.03,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval, self.margin, self.clock, self.sleep = interval, margin, clock, sleep
        self._next = self._last = 0.0
        self._lock = threading.Lock()

    def set_policy(self, policy: RateLimitPolicy) -> None:
        """Adopt ``policy``: the next slot is one interval after now (when the server counted
        the probe, which is later than its send) and after the last slot."""
        with self._lock:
            self.interval = policy.interval
            step = self.interval * (1 + self.margin)
            self._next = max(self._next, self._last + step, self.clock() + step)

    def wait(self) -> float:
        """Block until this caller's slot; return the seconds waited."""
        with self._lock:
            now = self.clock()
            self._last = slot = max(now, self._next)
            self._next = slot + self.interval * (1 + self.margin)
        if slot > now:
            self.sleep(slot - now)
        return slot - now

    def pause_until(self, seconds_from_now: float) -> None:
        """Hold every caller back for ``seconds_from_now`` (after a 429 with Retry-After)."""
        with self._lock:
            self._next = max(self._next, self.clock() + seconds_from_now)
