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
  same batch again and only what is missing is sent.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tenacity
from tqdm.auto import tqdm

from .errors import (
    AuthenticationError,
    ConnectionFailedError,
    HFError,
    PaymentRequiredError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)
from .ratelimit import Pacer, RateLimitPolicy, parse_policy
from .session import InferenceSession

TRANSIENT = (RateLimitError, ServerError, ConnectionFailedError, RequestTimeoutError)
"""Failures that may succeed if tried again later."""
FATAL = (AuthenticationError, PaymentRequiredError)
"""Failures that every remaining request would hit too: stop the batch."""


def server_wait(error: BaseException | None) -> float | None:
    """Return how long the server asked us to wait (Retry-After or estimated_time), or None."""
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        return error.retry_after
    if isinstance(error, ServerError) and error.estimated_time is not None:
        return error.estimated_time
    return None


class WaitForServerOrBackoff:
    """tenacity wait: the server's own delay when it gives one, else full-jitter backoff."""

    def __init__(self, multiplier: float = 0.2, max_wait: float = 10.0) -> None:
        self.backoff = tenacity.wait_random_exponential(multiplier=multiplier, max=max_wait)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
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
        return dict(sorted(Counter(a.status for a in self.attempts).items()))

    def summary(self) -> str:
        """Return a one-paragraph account of the batch."""
        stopped = f"\nStopped early: {self.stopped_by}" if self.stopped_by else ""
        return (
            f"{self.completed} of {len(self.results)} prompts done; {self.sent} sent now, "
            f"{self.skipped} already done before; {len(self.attempts)} requests, "
            f"{self.retries} of them retries; {self.seconds:.2f} s.\n"
            f"Answers by status: {self.status_counts()}{stopped}"
        )


class ResultStore:
    """Results in a JSON-lines file, one line per finished prompt, appended as they arrive.

    Each line is one ``os.write`` to a file opened with ``O_APPEND``, so a process killed
    mid-write leaves at most a partial last line, which ``load`` skips (that prompt is simply
    sent again). One batch process per file at a time.
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()

    def load(self) -> dict[str, ItemResult]:
        """Return the stored results by key: a success beats a failure, else the last line wins."""
        results: dict[str, ItemResult] = {}
        if self.path is None or not self.path.exists():
            return results
        for line in self.path.read_bytes().split(b"\n"):
            try:
                item = ItemResult(**json.loads(line))
            except (ValueError, TypeError):
                continue  # blank, or cut short by a kill
            if not (item.key in results and results[item.key].ok and not item.ok):
                results[item.key] = item
        return results

    def append(self, item: ItemResult) -> None:
        """Write one result line in one system call, at the end of the file."""
        if self.path is None:
            return
        line = (json.dumps(asdict(item), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)


def _status_of(error: BaseException) -> str:
    status = getattr(error, "status", None)  # refused before sending: no status
    if status:
        return str(status)
    if isinstance(error, RequestTimeoutError):
        return "timeout"
    return "drop" if isinstance(error, ConnectionFailedError) else type(error).__name__


@dataclass
class _Batch:
    """One run of ``run_batch``: the shared state of its workers."""

    session: InferenceSession
    url: str
    parameters: dict[str, Any]
    report: BatchReport
    pacer: Pacer
    pace: bool
    adopted: bool
    max_attempts: int
    waiter: Callable[[tenacity.RetryCallState], float]
    t0: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _log(self, key: str, number: int, start: float, status: str) -> None:
        with self.lock:
            self.report.attempts.append(
                Attempt(key, number, start, self.pacer.clock() - self.t0, status)
            )

    def attempt(self, key: str, prompt: str, number: list[int]) -> Any:
        """Send ``prompt`` once (after its pacing slot); log the attempt."""
        if self.stop.is_set():
            return None  # the batch was stopped before this prompt was sent
        if self.pace:
            self.pacer.wait()
        number[0] += 1
        start = self.pacer.clock() - self.t0
        try:
            generation = self.session.text_generation(self.url, prompt, **self.parameters)
        except HFError as error:
            self._log(key, number[0], start, _status_of(error))
            asked = server_wait(error)
            if self.pace and asked is not None:
                self.pacer.pause_until(asked)
            raise
        self._log(key, number[0], start, str(generation.status))
        with self.lock:
            found = parse_policy(generation.headers) if self.pace and not self.adopted else None
            if found:
                self.pacer.set_policy(found)
                self.adopted = True
        return generation

    def record(self, item: ItemResult, store: ResultStore, bar: Any) -> None:
        """Count ``item`` in the report and append it to the results file."""
        self.report.sent += bool(item.attempts)
        self.report.results[item.key] = item
        if item.attempts or item.ok:
            store.append(item)
        if bar is not None:
            bar.update(1)

    def one(self, key: str, prompt: str) -> ItemResult:
        """Return the outcome for one prompt, retried on transient failures."""
        number = [0]
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(TRANSIENT),
            stop=tenacity.stop_after_attempt(self.max_attempts),
            wait=self.waiter,
            sleep=self.pacer.sleep,
            reraise=True,
        )
        try:
            generation = retrying(self.attempt, key, prompt, number)
        except HFError as error:
            status = getattr(error, "status", None)
            if isinstance(error, FATAL):
                with self.lock:
                    if not self.stop.is_set():
                        self.report.stopped_by = (
                            f"{type(error).__name__} (HTTP {status}): {error.message}"
                        )
                    self.stop.set()
            return ItemResult(
                key, prompt, False, error=error.message, status=status, attempts=number[0]
            )
        if generation is None:
            return ItemResult(key, prompt, ok=False, error="not sent: batch stopped")
        return ItemResult(
            key, prompt, True, generation.text, status=generation.status, attempts=number[0]
        )


def run_batch(
    session: InferenceSession,
    url: str,
    prompts: Mapping[str, str] | Iterable[str],
    *,
    parameters: dict[str, Any] | None = None,
    results_path: str | Path | None = None,
    policy: RateLimitPolicy | None = None,
    pace: bool = True,
    pacer: Pacer | None = None,
    workers: int = 1,
    max_attempts: int = 5,
    wait: Callable[[tenacity.RetryCallState], float] | None = None,
    progress: bool = True,
    stop_after: int | None = None,
) -> BatchReport:
    """Send every prompt not already done to ``url``; return a BatchReport.

    ``prompts``: {key: prompt}, or a list (keys = prompts). ``policy``: pace to this; with None
    and ``pace``, adopt the server's ``RateLimit-Policy`` from the first answer (the first
    prompt goes alone, as a probe). ``pacer``: the Pacer to use (tests pass one on a fake
    clock: its clock and sleep are used for pacing, retries and timings). ``pace=False`` with
    ``max_attempts=1`` is the naive loop. ``stop_after`` sends at most that many prompts.
    """
    items = dict(prompts) if isinstance(prompts, Mapping) else {p: p for p in prompts}
    store = ResultStore(results_path)
    stored = store.load()
    todo = [(k, p) for k, p in items.items() if not (k in stored and stored[k].ok)]
    report = BatchReport(results={k: stored[k] for k in items if k in stored})
    report.skipped = len(items) - len(todo)
    pacer = pacer or Pacer()
    if policy is not None:
        pacer.interval = policy.interval
    waiter = wait or WaitForServerOrBackoff()
    batch = _Batch(session, url, parameters or {}, report, pacer, pace, policy is not None,
                   max_attempts, waiter, t0=pacer.clock())  # fmt: skip
    bar = tqdm(total=len(todo), desc="prompts", leave=False) if progress else None
    todo = todo[:stop_after] if stop_after is not None else todo
    if pace and policy is None and todo:  # the probe: learn the server's policy first
        batch.record(batch.one(*todo.pop(0)), store, bar)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in as_completed([pool.submit(batch.one, k, p) for k, p in todo]):
            batch.record(future.result(), store, bar)
    if bar is not None:
        bar.close()
    report.seconds = pacer.clock() - batch.t0
    return report
