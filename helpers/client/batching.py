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
  same batch again and only what is missing is sent. The file survives the process being
  killed at any moment, even in the middle of a write (see ``ResultStore``): after a resume
  every key has exactly one line.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
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
    """Results in a JSON-lines file, one line per finished key; safe against a killed process.

    * Each record is one ``os.write`` of a whole line to a file opened with ``O_APPEND`` (then
      ``fsync`` unless ``durable=False``), so a record is either in the file or not; a process
      killed (SIGKILL, a laptop's battery) in the middle of a write leaves at most a partial
      last line, never a record glued to another.
    * ``load()`` repairs what a kill can leave behind: a partial last line is cut off (that key
      is simply done again), and a key written twice (a failure, then a success on a later run)
      keeps one line; when it repairs anything it rewrites the file through a temporary file
      and ``os.replace``, so a kill during the repair leaves the old file or the new one.

    One batch process per file at a time: a repair by one process would drop the lines another
    appends meanwhile.
    """

    def __init__(self, path: str | Path | None, *, durable: bool = True) -> None:
        self.path = Path(path) if path else None
        self.durable = durable
        self._lock = threading.Lock()

    def load(self) -> dict[str, ItemResult]:
        """Return the stored results (a success beats a failure, else the last line wins).

        Repairs the file (see the class) when it holds a partial line, a line that is not a
        record, or the same key twice.
        """
        results: dict[str, ItemResult] = {}
        if self.path is None or not self.path.exists():
            return results
        raw = self.path.read_bytes()
        needs_repair = bool(raw) and not raw.endswith(b"\n")  # a write cut short by a kill
        lines = raw.split(b"\n")
        if needs_repair:
            lines = lines[:-1]
        for line in lines:
            if not line.strip():
                continue
            try:
                item = ItemResult(**json.loads(line))
            except (ValueError, TypeError):
                needs_repair = True  # not a record: dropped, that key is done again
                continue
            if item.key in results:
                needs_repair = True
                if results[item.key].ok and not item.ok:
                    continue
            results[item.key] = item
        if needs_repair:
            self.rewrite(results.values())
        return results

    def append(self, item: ItemResult) -> None:
        """Write one result line (one system call, appended at the end whatever happened)."""
        if self.path is None:
            return
        line = (json.dumps(asdict(item), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                view = memoryview(line)
                while view:  # a regular file takes it in one write; loop in case it does not
                    view = view[os.write(fd, view) :]
                if self.durable:
                    os.fsync(fd)
            finally:
                os.close(fd)

    def rewrite(self, items: Iterable[ItemResult]) -> None:
        """Replace the file by ``items``, one line each, atomically (temporary file + rename)."""
        if self.path is None:
            return
        data = "".join(json.dumps(asdict(i), ensure_ascii=False) + "\n" for i in items)
        with self._lock:
            fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data.encode("utf-8"))
                    f.flush()
                    if self.durable:
                        os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise


def _status_of(error: BaseException) -> str:
    status = getattr(error, "status", None)  # refused before sending: no status
    if status:
        return str(status)
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
    pacer: Pacer | None = None,
    workers: int = 1,
    max_attempts: int = 5,
    wait: Callable[[RetryCallState], float] | None = None,
    progress: bool = True,
    stop_after: int | None = None,
) -> BatchReport:
    """Send every prompt not already done to ``url``; return a BatchReport.

    ``prompts``: a {key: prompt} mapping, or a list (its keys are the prompts themselves).
    ``policy``: pace to this; with None and ``pace`` true, adopt the server's advertised
    ``RateLimit-Policy`` as soon as an answer carries one (the first prompt goes alone, as a
    probe, and the pacing counts from its answer). ``pacer``: the Pacer to space requests with
    (default: a new one; tests pass one on a fake clock). ``pace=False`` with
    ``max_attempts=1`` is the naive loop. ``stop_after`` sends at most that many prompts
    (to simulate an interruption).
    """
    items = dict(prompts) if isinstance(prompts, Mapping) else {p: p for p in prompts}
    store = ResultStore(results_path)
    results = store.load()
    stored = dict(results)  # every key in the file, this batch's or not
    written_again: list[str] = []  # keys that had a line before this run and get a new one
    todo = [(k, p) for k, p in items.items() if not (k in results and results[k].ok)]
    report = BatchReport(results={k: results[k] for k in items if k in results})
    report.skipped = len(items) - len(todo)
    if stop_after is not None:
        todo = todo[:stop_after]
    if pacer is None:
        pacer = Pacer(policy.interval if policy else 0.0)
    elif policy is not None:
        pacer.interval = policy.interval
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
                        f"{type(error).__name__} (HTTP {getattr(error, 'status', None)}): "
                        f"{error.message}"
                    )
                stop.set()
            return ItemResult(
                key,
                prompt,
                ok=False,
                error=error.message,
                status=getattr(error, "status", None),
                attempts=number[0],
            )
        return ItemResult(
            key, prompt, ok=True, text=generation.text, status=generation.status, attempts=number[0]
        )

    # No bar at all without progress: tqdm makes a multiprocessing lock, which a killed process
    # would leak.
    bar = tqdm(total=len(todo), desc="prompts", leave=False) if progress else None

    def record(item: ItemResult) -> None:
        if item.attempts:
            report.sent += 1
        report.results[item.key] = item
        if item.attempts or item.ok:
            if item.key in stored:
                written_again.append(item.key)
            store.append(item)
            stored[item.key] = item
        if bar is not None:
            bar.update(1)

    if pace and not adopted and todo:
        # Probe: send one prompt alone, so that the server's RateLimit-Policy is known before
        # several workers start at once.
        record(one(*todo[0]))
        todo = todo[1:]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in as_completed([pool.submit(one, k, p) for k, p in todo]):
            record(future.result())
    if bar is not None:
        bar.close()
    if written_again:
        # A failure from an earlier run now has a newer line: keep one line per key.
        store.rewrite(stored.values())
    report.seconds = time.monotonic() - t0
    return report


class _Stopped(Exception):
    """Internal: the batch was stopped before this prompt was sent."""
