"""``python -m helpers.tools.bench``: measure the batch client against in-process stand-ins.

Prints one ``name: value`` line per figure, all measured in this run:

* pacing to an advertised limit (share of the limit reached, and its 429s), against a naive
  loop that neither paces nor retries;
* the speed-up of 8 concurrent workers over one, on a stand-in with 50 ms per request;
* a reused Session against one ``requests.post`` per call;
* a 200-prompt batch under a 10 % fault rate: completion, retries, duplicates.

``--kill``: a batch in a child process killed with SIGKILL at seeded random moments and resumed
from its results file each time; prints the prompts lost and duplicated (both must be 0).
``--fresh``: ten paced batches of 8 prompts (``max_attempts=1``, so a 429 is not retried away),
each against a stand-in freshly started from the command line with ``--rate-limit 5/1`` while two
CPU-bound processes keep both cores busy; prints the prompts answered and the 429s met.
``--room``: a room of learners: load-generator processes drive a stand-in started as the
workshop command starts it; prints requests per second, latency, errors and the server's memory.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

from ..client.batching import BatchReport, run_batch
from ..client.session import InferenceSession
from ..data import load_prompts
from ..lessons.connection import local_token
from ..standin import start
from .room import run_room


def _keys(n: int) -> dict[str, str]:
    prompts = load_prompts()
    return {f"p{i:04d}": prompts[i % len(prompts)] for i in range(n)}


def _batch(n: int, knobs: dict, **options) -> BatchReport:
    """Run ``n`` prompts against a fresh stand-in with ``knobs``; return the report."""
    workers = options.get("workers", 1)
    with start(**knobs) as api:
        return run_batch(
            InferenceSession(local_token(), retries=0, pool_size=workers),
            api.url + "/models/gpt2",
            _keys(n),
            progress=False,
            **options,
        )


def bench_pacing(n: int, limit: str = "20/1") -> dict[str, float]:
    """Return pacing figures: paced share of the limit and 429s; the naive loop's 429s."""
    params = {"max_new_tokens": 2}
    figures: dict[str, float] = {}
    paced = _batch(n, {"rate_limit": limit}, parameters=params)
    quota, window = (float(x) for x in limit.split("/"))
    starts = sorted(a.start for a in paced.attempts)
    figures["paced_requests"] = len(paced.attempts)
    figures["paced_fraction_of_limit"] = round(
        (len(starts) - 1) / (starts[-1] - starts[0]) / (quota / window), 3
    )
    figures["paced_429s"] = paced.status_counts().get("429", 0)
    naive = _batch(n, {"rate_limit": limit}, parameters=params, pace=False, max_attempts=1)
    figures["naive_429s"] = naive.status_counts().get("429", 0)
    figures["naive_failed_prompts"] = len(naive.results) - naive.completed
    return figures


def bench_concurrency(n: int, workers: int = 8) -> dict[str, float]:
    """Return the speed-up of ``workers`` threads over one, at 50 ms per request."""
    params = {"max_new_tokens": 5}  # 5 tokens x 10 ms = 50 ms per request
    seconds = {
        w: _batch(n, {"latency_ms_per_token": 10}, parameters=params, pace=False, workers=w).seconds
        for w in (1, workers)
    }
    return {
        "one_worker_seconds": round(seconds[1], 3),
        f"{workers}_workers_seconds": round(seconds[workers], 3),
        f"concurrency_speedup_{workers}_workers": round(seconds[1] / seconds[workers], 2),
    }


def bench_session(n: int) -> dict[str, float]:
    """Return the time per call of one requests.post per call against a reused Session."""
    token = local_token()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"inputs": "Hello", "parameters": {"max_new_tokens": 1}}
    with start() as api:
        url = api.url + "/models/gpt2"
        for _ in range(10):  # warm up both paths
            requests.post(url, json=body, headers=headers, timeout=10)
        started = time.perf_counter()
        for _ in range(n):
            requests.post(url, json=body, headers=headers, timeout=10).raise_for_status()
        per_call = (time.perf_counter() - started) / n
        with requests.Session() as session:
            session.headers.update(headers)
            started = time.perf_counter()
            for _ in range(n):
                session.post(url, json=body, timeout=10).raise_for_status()
            reused = (time.perf_counter() - started) / n
    return {
        "per_call_post_ms": round(per_call * 1000, 3),
        "reused_session_ms": round(reused * 1000, 3),
        "session_speedup": round(per_call / reused, 2),
    }


def bench_faults(n: int, fault_rate: float = 0.1, seed: int = 7) -> dict[str, float]:
    """Return completion, retries and duplicates of an ``n``-prompt batch under faults."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.jsonl"
        report = _batch(
            n,
            {"fault_rate": fault_rate, "seed": seed},
            parameters={"max_new_tokens": 3},
            results_path=path,
            workers=4,
        )
        lines = [json.loads(ln) for ln in path.read_text().splitlines()]
    ok_keys = [ln["key"] for ln in lines if ln["ok"]]
    injected = sum(v for k, v in report.status_counts().items() if k != "200")
    return {
        "faulty_batch_prompts": n,
        "faulty_batch_fault_rate": fault_rate,
        "faulty_batch_faults_met": injected,
        "faulty_batch_completed_fraction": round(report.completed / n, 4),
        "faulty_batch_retries": report.retries,
        "faulty_batch_duplicate_results": len(ok_keys) - len(set(ok_keys)),
    }


KILL_PARAMS = {"max_new_tokens": 8}


def _kill_child(url: str, path: str, n: int, workers: int) -> None:
    """The batch the kill bench kills: ``n`` prompts, resumed from ``path``."""
    run_batch(
        InferenceSession(local_token(), retries=0, pool_size=workers),
        url + "/models/gpt2",
        _keys(n),
        parameters=KILL_PARAMS,
        results_path=path,
        pace=False,
        workers=workers,
        max_attempts=20,
        wait=lambda state: 0.01,
        progress=False,
    )


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def count_results(path: Path, keys: list[str]) -> dict[str, int]:
    """Return what a results file holds for ``keys``: lost, duplicated and corrupt lines."""
    seen: Counter[str] = Counter()
    corrupt = 0
    raw = path.read_bytes() if path.exists() else b""
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            seen[record["key"]] += 1
            ok = record["ok"] is True
        except (ValueError, KeyError, TypeError):
            corrupt += 1
            continue
        if not ok:
            corrupt += 1  # a failure left in the final file is not "done"
    last = raw.rsplit(b"\n", 1)[-1]
    if last.strip() and _is_json(last):
        corrupt += 1  # a whole record without its newline: the next append would be glued on
    return {
        "lost": sum(1 for k in keys if seen[k] == 0),
        "duplicates": sum(c - 1 for c in seen.values() if c > 1),
        "corrupt_lines": corrupt,
    }


def kill_and_resume(
    url: str,
    path: Path,
    n: int,
    kills: int,
    seed: int = 15,
    workers: int = 4,
    max_delay: float = 0.25,
    torn_every: int = 5,
) -> dict[str, float]:
    """Run the batch in a child process, SIGKILL it ``kills`` times, then let it finish.

    The child is killed at a random moment (seeded) after it starts; each new child resumes
    from ``path``. A SIGKILL between two system calls cannot split one ``os.write``, so every
    ``torn_every``-th kill also leaves what an older, buffered writer would have left: half a
    record with no newline at the end of the file (``kill_resume_torn_writes``). Children are
    forked from a fork server that imported this module once, so a restart costs milliseconds.
    """
    rng = random.Random(seed)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    killed = torn = runs = 0
    started = time.monotonic()
    keys = list(_keys(n))
    while True:
        runs += 1
        done_before_run = n - count_results(path, keys)["lost"]
        child = context.Process(target=_kill_child, args=(url, str(path), n, workers))
        child.start()
        if killed < kills:
            # A random moment after the run has done something (its first record), so that
            # every kill interrupts work rather than the start of a process.
            deadline = time.monotonic() + 30
            while child.is_alive() and time.monotonic() < deadline:
                if n - count_results(path, keys)["lost"] > done_before_run:
                    break
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, max_delay))
            if child.is_alive():
                os.kill(child.pid, signal.SIGKILL)
                killed += 1
            child.join()
            if child.exitcode == 0:
                break  # the batch finished before this kill: nothing left to interrupt
            if child.exitcode != -signal.SIGKILL:
                raise RuntimeError(f"a run of the kill bench failed (exit {child.exitcode})")
            if torn_every and killed % torn_every == 0:
                with path.open("ab") as f:
                    f.write(b'{"key": "p0000", "prompt": "half a rec')
                torn += 1
            continue
        child.join(timeout=120)
        if child.exitcode != 0:
            raise RuntimeError(f"the last resume of the kill bench exited with {child.exitcode}")
        break
    counts = count_results(path, keys)
    return {
        "kill_resume_kills": killed,
        "kill_resume_runs": runs,
        "kill_resume_torn_writes": torn,
        "kill_resume_prompts": n,
        "kill_resume_done_before_last_run": done_before_run,
        "kill_resume_lost": counts["lost"],
        "kill_resume_duplicates": counts["duplicates"],
        "kill_resume_corrupt_lines": counts["corrupt_lines"],
        "kill_resume_seconds": round(time.monotonic() - started, 2),
    }


def bench_kill(n: int = 1000, kills: int = 24, seed: int = 15) -> dict[str, float]:
    """Return the kill-and-resume figures against an in-process stand-in.

    1 ms per token (8 ms a request) and 2 workers make the batch last about 4 s of work, so
    that every kill lands in the middle of it rather than after the batch is done.
    """
    with tempfile.TemporaryDirectory() as tmp, start(latency_ms_per_token=1) as api:
        return kill_and_resume(api.url, Path(tmp) / "results.jsonl", n, kills, seed, workers=2)


BURN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


def _start_cli_standin(limit: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``python -m helpers.standin --rate-limit LIMIT --port 0``; return it and its URL.

    The URL is read from the line it prints once its port is bound, before its app is built: the
    first request then meets a server that is still starting, as a freshly started one does.
    """
    command = [sys.executable, "-m", "helpers.standin", "--rate-limit", limit, "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline() if server.stdout else ""
    if " on http://" not in line:
        server.kill()
        raise RuntimeError(f"the stand-in did not announce its URL: {line!r}")
    return server, line.split(" on ", 1)[1].split()[0]


def bench_fresh_server(
    batches: int = 10, n: int = 8, limit: str = "5/1", burners: int = 2
) -> dict[str, float]:
    """Return what paced batches met against freshly started, CPU-starved stand-ins.

    Each batch: ``burners`` CPU-bound processes (each stops by itself after 30 s), then a stand-in
    started from the command line, then ``n`` prompts through ``run_batch`` with pacing on and
    ``max_attempts=1``; everything started here is stopped before the next batch.
    """
    answered = met = batches_with_429 = 0
    probe_ms: list[float] = []
    for _ in range(batches):
        burning = [
            subprocess.Popen([sys.executable, "-c", BURN.format(seconds=30)])
            for _ in range(burners)
        ]
        server, url = _start_cli_standin(limit)
        try:
            report = run_batch(
                InferenceSession(local_token(), retries=0),
                url + "/models/gpt2",
                [f"Prompt number {i}" for i in range(n)],
                parameters={"max_new_tokens": 2},
                max_attempts=1,
                progress=False,
            )
        finally:
            for process in [server, *burning]:
                process.kill()
                process.wait()
        answered += report.completed
        met += report.status_counts().get("429", 0)
        batches_with_429 += "429" in report.status_counts()
        first = min(report.attempts, key=lambda a: a.start)
        probe_ms.append((first.end - first.start) * 1000)
    probe_ms.sort()
    return {
        "fresh_server_cores": os.cpu_count() or 0,
        "fresh_server_busy_processes": burners,
        "fresh_server_rate_limit": limit,
        "fresh_server_batches": batches,
        "fresh_server_prompts": batches * n,
        "fresh_server_answered": answered,
        "fresh_server_429s": met,
        "fresh_server_batches_with_429": batches_with_429,
        "fresh_server_first_request_ms_median": round(probe_ms[len(probe_ms) // 2], 1),
        "fresh_server_first_request_ms_max": round(probe_ms[-1], 1),
    }


def run(quick: bool = False) -> dict[str, float]:
    """Run every benchmark; ``quick`` uses small counts (for the test suite)."""
    figures: dict[str, float] = {}
    figures.update(bench_pacing(12 if quick else 60))
    figures.update(bench_concurrency(8 if quick else 48))
    figures.update(bench_session(20 if quick else 300))
    figures.update(bench_faults(20 if quick else 200))
    return figures


def main(argv: list[str] | None = None) -> None:
    """Print the figures, one ``name: value`` line each."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.tools.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke test")
    parser.add_argument(
        "--kill", action="store_true", help="SIGKILL a batch at random moments and resume it"
    )
    parser.add_argument("--kills", type=int, default=24, help="with --kill: how many kills")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="paced batches against freshly started, CPU-starved stand-ins (5/1): any 429?",
    )
    parser.add_argument(
        "--room", action="store_true", help="a room of 40 learners against one workshop stand-in"
    )
    parser.add_argument(
        "--requests", type=int, default=6000, help="with --room: how many requests in all"
    )
    parser.add_argument("--seed", type=int, default=15, help="seed of the kill moments / room mix")
    args = parser.parse_args(argv)
    if args.room:
        print("answered_by: local stand-in, `python -m helpers.standin` in its own process")
        figures = run_room(requests=args.requests, seed=args.seed)
    elif args.fresh:
        print("answered_by: local stand-in, `python -m helpers.standin` in its own process")
        figures = bench_fresh_server()
    elif args.kill:
        print("answered_by: local stand-in (helpers.standin), in this process")
        figures = bench_kill(kills=args.kills, seed=args.seed)
    else:
        print("answered_by: local stand-in (helpers.standin), in this process")
        figures = run(quick=args.quick)
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
