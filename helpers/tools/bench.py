"""``python -m helpers.tools.bench``: measure the batch client against stand-ins.

Prints one ``name: value`` line per figure, all measured in this run:

* pacing to an advertised limit (share of the limit reached, and its 429s), against a naive
  loop that neither paces nor retries;
* the speed-up of 8 concurrent workers over one, on a stand-in with 50 ms per request;
* a batch under a 10 % fault rate: completion and retries.

``--fresh``: ten paced batches of 8 prompts (``max_attempts=1``, so a 429 is not retried away),
each against a stand-in freshly started from the command line with ``--rate-limit 5/1`` while two
CPU-bound processes keep both cores busy; prints the prompts answered and the 429s met.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from ..client.batching import BatchReport, run_batch
from ..client.session import InferenceSession
from ..data import load_prompts
from ..lessons.connection import local_token
from ..standin import start


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


def bench_faults(n: int, fault_rate: float = 0.1, seed: int = 7) -> dict[str, float]:
    """Return completion and retries of an ``n``-prompt batch under seeded faults."""
    knobs = {"fault_rate": fault_rate, "seed": seed}
    report = _batch(n, knobs, parameters={"max_new_tokens": 3}, workers=4)
    injected = sum(v for k, v in report.status_counts().items() if k != "200")
    return {
        "faulty_batch_prompts": n,
        "faulty_batch_fault_rate": fault_rate,
        "faulty_batch_faults_met": injected,
        "faulty_batch_completed_fraction": round(report.completed / n, 4),
        "faulty_batch_retries": report.retries,
    }


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
    figures.update(bench_faults(20 if quick else 200))
    return figures


def main(argv: list[str] | None = None) -> None:
    """Print the figures, one ``name: value`` line each."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.tools.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke test")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="paced batches against freshly started, CPU-starved stand-ins (5/1): any 429?",
    )
    args = parser.parse_args(argv)
    if args.fresh:
        print("answered_by: local stand-in, `python -m helpers.standin` in its own process")
        figures = bench_fresh_server()
    else:
        print("answered_by: local stand-in (helpers.standin), in this process")
        figures = run(quick=args.quick)
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
