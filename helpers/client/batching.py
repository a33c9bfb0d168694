"""Running many prompts: paced to a rate limit, concurrent, retried, resumable.

* **Pacing**: a Pacer spaces requests to the server's advertised ``RateLimit-Policy`` (read
  from the first answer) or to a policy you give.
* **Concurrency**: a thread pool of ``workers``; requests share one ``requests.Session``.
* **Retries**: tenacity retries transient failures only (429, 5xx, broken connections,
  timeouts), waiting ``Retry-After`` / ``estimated_time`` when the server says how long, else
  exponential backoff with full jitter.
* **Stops**: 401, 402 and 403 would fail every remaining prompt the same way, so the batch
  stops cleanly at the first one and reports what was done.
* **Results** are keyed by input and appended to a JSON-lines file as they arrive: run the
  same batch again and only what is missing is sent; a key is never written twice.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)
from tqdm.auto import tqdm

from .errors import (
    AuthenticationError,
    ConnectionFailedError,
    HFError,
    ModelLoadingError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)
from .ratelimit import Pacer, RateLimitPolicy, parse_policy
from .session import InferenceSession

TRANSIENT = (RateLimitError, ServerError, ConnectionFailedError, RequestTimeoutError)
"""Failures that may succeed if tried again later."""
FATAL = (AuthenticationError, PaymentRequiredError, PermissionDeniedError)
"""Failures that every remaining request would hit too: stop the batch."""


def server_wait(error: BaseException | None) -> float | None:
    """Return how long the server asked us to wait (Retry-After or estimated_time), or None."""
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        return error.retry_after
    if isinstance(error, ModelLoadingError) and error.estimated_time is not None:
        return error.estimated_time
    return None


class WaitForServerOrBackoff:
    """tenacity wait: the server's own delay when it gives one, else full-jitter backoff."""

    def __init__(self, multiplier: float = 0.2, max_wait: float = 10.0) -> None:
        self.backoff = wait_random_exponential(multiplier=multiplier, max=max_wait)
        self.max_wait = max_wait

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        asked = server_wait(outcome.exception() if outcome else None)
        if asked is not None:
            return min(asked, 60.0)
        return self.backoff(retry_state)


@dataclass
class Attempt:
    """One request sent: when, and what came back (for the timeline plot)."""

    key: str
    attempt: int
    start: float
    end: float
    status: str  # "200", "429", "503", "drop", "timeout"…


@dataclass
class ItemResult:
    """The outcome for one prompt."""

    key: str
    prompt: str
    ok: bool
    text: str | None = None
    error: str | None = None
    status: int | None = None
    attempts: int = 0


@dataclass
class BatchReport:
    """What a batch did. ``results`` holds every key's latest outcome, old and new."""

    results: dict[str, ItemResult]
    attempts: list[Attempt] = field(default_factory=list)
    sent: int = 0
    skipped: int = 0
    stopped_by: str | None = None
    seconds: float = 0.0

    @property
    def completed(self) -> int:
        """Return how many keys have a successful result."""
        return sum(r.ok for r in self.results.values())

    @property
    def retries(self) -> int:
        """Return the number of requests that were repeats of an earlier attempt."""
        return sum(a.attempt > 1 for a in self.attempts)

    def status_counts(self) -> dict[str, int]:
        """Return {status: number of attempts}."""
        counts: dict[str, int] = {}
        for a in self.attempts:
            counts[a.status] = counts.get(a.status, 0) + 1
        return dict(sorted(counts.items()))

    def summary(self) -> str:
        """Return a one-paragraph account of the batch."""
        lines = [
            f"{self.completed} of {len(self.results)} prompts done; {self.sent} sent now, "
            f"{self.skipped} already done before; {len(self.attempts)} requests, "
            f"{self.retries} of them retries; {self.seconds:.2f} s.",
            f"Answers by status: {self.status_counts()}",
        ]
        if self.stopped_by:
            lines.append(f"Stopped early: {self.stopped_by}")
        return "\n".join(lines)


class ResultStore:
    """Results in a JSON-lines file, one line per finished key; thread-safe appends."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()

    def load(self) -> dict[str, ItemResult]:
        """Return the stored results, the last line of each key winning."""
        results: dict[str, ItemResult] = {}
        if self.path and self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    try:
                        item = ItemResult(**json.loads(line))
                    except (ValueError, TypeError):
                        continue  # a line cut short by a crash: that key is simply redone
                    results[item.key] = item
        return results

    def append(self, item: ItemResult) -> None:
        """Write one result line."""
        if self.path is None:
            return
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(item)) + "\n")


def _status_of(error: BaseException) -> str:
    if isinstance(error, HFError) and error.status:
        return str(error.status)
    if isinstance(error, RequestTimeoutError):
        return "timeout"
    if isinstance(error, ConnectionFailedError):
        return "drop"
    return type(error).__name__


def run_batch(
    session: InferenceSession,
    url: str,
    prompts: Mapping[str, str] | Iterable[str],
    *,
    parameters: dict[str, Any] | None = None,
    results_path: str | Path | None = None,
    policy: RateLimitPolicy | None = None,
    pace: bool = True,
    workers: int = 1,
    max_attempts: int = 5,
    wait: Callable[[RetryCallState], float] | None = None,
    progress: bool = True,
    stop_after: int | None = None,
) -> BatchReport:
    """Send every prompt not already done to ``url``; return a BatchReport.

    ``prompts``: a {key: prompt} mapping, or a list (its keys are the prompts themselves).
    ``policy``: pace to this; with None and ``pace`` true, adopt the server's advertised
    ``RateLimit-Policy`` as soon as an answer carries one. ``pace=False`` with
    ``max_attempts=1`` is the naive loop. ``stop_after`` sends at most that many prompts
    (to simulate an interruption).
    """
    items = dict(prompts) if isinstance(prompts, Mapping) else {p: p for p in prompts}
    store = ResultStore(results_path)
    results = store.load()
    todo = [(k, p) for k, p in items.items() if not (k in results and results[k].ok)]
    report = BatchReport(results={k: results[k] for k in items if k in results})
    report.skipped = len(items) - len(todo)
    if stop_after is not None:
        todo = todo[:stop_after]
    pacer = Pacer(policy.interval if policy else 0.0)
    adopted = policy is not None
    stop = threading.Event()
    lock = threading.Lock()
    t0 = time.monotonic()
    waiter = wait or WaitForServerOrBackoff()

    def attempt_once(key: str, prompt: str, number: list[int]) -> Any:
        nonlocal adopted
        if stop.is_set():
            raise _Stopped()
        if pace:
            pacer.wait()
        number[0] += 1
        start = time.monotonic() - t0
        try:
            generation = session.text_generation(url, prompt, **(parameters or {}))
        except HFError as error:
            with lock:
                report.attempts.append(
                    Attempt(key, number[0], start, time.monotonic() - t0, _status_of(error))
                )
            asked = server_wait(error)
            if pace and asked is not None:
                pacer.pause_until(asked)
            raise
        with lock:
            report.attempts.append(
                Attempt(key, number[0], start, time.monotonic() - t0, str(generation.status))
            )
            if pace and not adopted:
                found = parse_policy(generation.headers)
                if found:
                    pacer.set_policy(found)
                    adopted = True
        return generation

    def one(key: str, prompt: str) -> ItemResult:
        number = [0]
        retrying = Retrying(
            retry=retry_if_exception_type(TRANSIENT),
            stop=stop_after_attempt(max_attempts),
            wait=waiter,
            reraise=True,
        )
        try:
            generation = retrying(attempt_once, key, prompt, number)
        except _Stopped:
            return ItemResult(key, prompt, ok=False, error="not sent: batch stopped", attempts=0)
        except HFError as error:
            if isinstance(error, FATAL):
                if not stop.is_set():
                    report.stopped_by = (
                        f"{type(error).__name__} (HTTP {error.status}): {error.message}"
                    )
                stop.set()
            return ItemResult(
                key, prompt, ok=False, error=error.message, status=error.status, attempts=number[0]
            )
        return ItemResult(
            key, prompt, ok=True, text=generation.text, status=generation.status, attempts=number[0]
        )

    bar = tqdm(total=len(todo), desc="prompts", disable=not progress, leave=False)

    def record(item: ItemResult) -> None:
        if item.attempts:
            report.sent += 1
        report.results[item.key] = item
        if item.attempts or item.ok:
            store.append(item)
        bar.update(1)

    if pace and not adopted and todo:
        # Probe: send one prompt alone, so that the server's RateLimit-Policy is known before
        # several workers start at once.
        record(one(*todo[0]))
        todo = todo[1:]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in as_completed([pool.submit(one, k, p) for k, p in todo]):
            record(future.result())
    bar.close()
    report.seconds = time.monotonic() - t0
    return report


class _Stopped(Exception):
    """Internal: the batch was stopped before this prompt was sent."""
