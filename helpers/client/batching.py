"""``run_batch``: many prompts, paced to a rate limit, concurrent, retried, resumable.

A Pacer spaces requests to the server's ``RateLimit-Policy`` (read from the first answer) or to
a given policy; ``workers`` threads share one session; tenacity retries 429, 5xx, drops and
timeouts, waiting ``Retry-After`` / ``estimated_time`` when given, else full-jitter backoff;
401, 402 and 403 stop the batch. Results go to a JSON-lines file: a rerun sends what is missing.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
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
FATAL = (AuthenticationError, PaymentRequiredError)
BACKOFF = tenacity.wait_random_exponential(multiplier=0.2, max=10.0)


def server_wait(error: BaseException | None) -> float | None:
    """Return how long the server asked us to wait (Retry-After or estimated_time), or None."""
    asked = (getattr(error, name, None) for name in ("retry_after", "estimated_time"))
    return next((seconds for seconds in asked if seconds is not None), None)


def wait_for_server_or_backoff(state: tenacity.RetryCallState) -> float:
    """tenacity wait: the server's own delay (at most 60 s) when given, else full-jitter backoff."""
    asked = server_wait(state.outcome.exception() if state.outcome else None)
    return min(asked, 60.0) if asked is not None else BACKOFF(state)


@dataclass
class Attempt:
    """One request sent: when, and what came back ("200", "429", "drop", "timeout"…)."""

    key: str
    attempt: int
    start: float
    end: float
    status: str


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
    stopped_by: str | None = None
    seconds: float = 0.0

    @property
    def completed(self) -> int:
        return sum(r.ok for r in self.results.values())

    @property
    def retries(self) -> int:
        return sum(a.attempt > 1 for a in self.attempts)

    def status_counts(self) -> dict[str, int]:  # {status: number of attempts}
        return dict(sorted(Counter(a.status for a in self.attempts).items()))


def load_results(path: Path | None) -> dict[str, ItemResult]:
    """Return a results file's outcomes by key (a success beats a failure, else the last wins),
    skipping a line cut short by a process killed mid-write."""
    results: dict[str, ItemResult] = {}
    for line in path.read_bytes().split(b"\n") if path and path.exists() else []:
        try:
            item = ItemResult(**json.loads(line))
        except (ValueError, TypeError):
            continue
        if not (item.key in results and results[item.key].ok and not item.ok):
            results[item.key] = item
    return results


def _status_of(error: HFError) -> str:
    kinds = {RequestTimeoutError: "timeout", ConnectionFailedError: "drop"}
    return str(getattr(error, "status", None) or kinds.get(type(error), type(error).__name__))


@dataclass
class _Batch:
    """One run of ``run_batch``: what its workers share."""

    session: InferenceSession
    url: str
    parameters: dict[str, Any]
    report: BatchReport
    pacer: Pacer
    pace: bool
    adopted: bool
    retrying: tenacity.Retrying
    t0: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _log(self, key: str, number: int, start: float, status: str) -> None:
        with self.lock:
            end = self.pacer.clock() - self.t0
            self.report.attempts.append(Attempt(key, number, start, end, status))

    def attempt(self, key: str, prompt: str, number: list[int]) -> Any:
        """Send ``prompt`` once, after its pacing slot (None: the batch was stopped)."""
        if self.stop.is_set():
            return None
        if self.pace:
            self.pacer.wait()
        number[0] += 1
        start = self.pacer.clock() - self.t0
        try:
            generation = self.session.text_generation(self.url, prompt, **self.parameters)
        except HFError as error:
            self._log(key, number[0], start, _status_of(error))
            if self.pace and server_wait(error) is not None:
                self.pacer.pause_until(server_wait(error))
            raise
        self._log(key, number[0], start, str(generation.status))
        with self.lock:
            found = parse_policy(generation.headers) if self.pace and not self.adopted else None
            if found:
                self.pacer.set_policy(found)
                self.adopted = True
        return generation

    def one(self, key: str, prompt: str) -> ItemResult:
        """Return the outcome for one prompt, retried on transient failures."""
        number = [0]
        try:
            generation = self.retrying.copy()(self.attempt, key, prompt, number)
        except HFError as error:
            status = getattr(error, "status", None)
            if isinstance(error, FATAL):
                with self.lock:
                    said = f"{type(error).__name__} (HTTP {status}): {error.message}"
                    self.report.stopped_by = self.report.stopped_by or said
                    self.stop.set()
            return ItemResult(key, prompt, False, None, error.message, status, number[0])
        if generation is None:
            return ItemResult(key, prompt, ok=False, error="not sent: batch stopped")
        return ItemResult(key, prompt, True, generation.text, None, generation.status, number[0])


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
    progress: bool = True,
) -> BatchReport:
    """Send every prompt not already done to ``url``; return a BatchReport.

    ``prompts``: {key: prompt}, or a list (keys = prompts). Without ``policy`` and with ``pace``,
    the first prompt goes alone and the server's ``RateLimit-Policy`` is adopted from its answer.
    ``pacer``'s clock and sleep serve pacing, retries and timings (tests pass a fake one).
    ``pace=False`` with ``max_attempts=1`` is the naive loop.
    """
    items = dict(prompts) if isinstance(prompts, Mapping) else {p: p for p in prompts}
    path = Path(results_path) if results_path else None
    stored = load_results(path)
    todo = [(k, p) for k, p in items.items() if not (k in stored and stored[k].ok)]
    report = BatchReport(results={k: stored[k] for k in items if k in stored})
    pacer = pacer or Pacer()
    if policy is not None:
        pacer.interval = policy.interval
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(TRANSIENT),
        stop=tenacity.stop_after_attempt(max_attempts),
        wait=wait_for_server_or_backoff,
        sleep=pacer.sleep,
        reraise=True,
    )
    adopted = policy is not None
    batch = _Batch(session, url, parameters or {}, report, pacer, pace, adopted, retrying)
    batch.t0 = pacer.clock()
    with tqdm(total=len(todo), desc="prompts", leave=False, disable=not progress) as bar:

        def record(item: ItemResult) -> None:
            report.results[item.key] = item
            if path and (item.attempts or item.ok):  # only this thread writes the file
                with path.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")
            bar.update(1)

        if pace and policy is None and todo:  # the probe: learn the server's policy first
            record(batch.one(*todo.pop(0)))
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for future in as_completed([pool.submit(batch.one, k, p) for k, p in todo]):
                record(future.result())
    report.seconds = pacer.clock() - batch.t0
    return report
