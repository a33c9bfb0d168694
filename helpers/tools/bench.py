"""``python -m helpers.tools.bench``: the batch client measured against in-process stand-ins.

One ``name: value`` line per figure: pacing to an advertised limit against a naive loop, 8
workers against one at 50 ms a request, a batch under a 10 % fault rate. ``--quick``: small counts.
"""

from __future__ import annotations

import argparse

from ..client.batching import BatchReport, run_batch
from ..client.session import InferenceSession
from ..data import data_path
from ..lessons.connection import local_token


def _batch(n: int, knobs: dict, **options) -> BatchReport:
    from ..standin import start

    lines = (ln.strip() for ln in data_path("prompts.txt").read_text(encoding="utf-8").splitlines())
    prompts = [ln for ln in lines if ln and not ln.startswith("#")]  # blank lines, comments
    with start(**knobs) as api:
        session = InferenceSession(local_token(), retries=0, pool_size=options.get("workers", 1))
        keyed = {f"p{i:04d}": prompts[i % len(prompts)] for i in range(n)}
        return run_batch(session, api.url + "/models/gpt2", keyed, progress=False, **options)


def run(quick: bool = False) -> dict[str, float]:
    n = (12, 8, 20) if quick else (60, 48, 200)
    limited, short = {"rate_limit": "20/1"}, {"max_new_tokens": 2}
    paced = _batch(n[0], limited, parameters=short)
    naive = _batch(n[0], limited, parameters=short, pace=False, max_attempts=1)
    starts = sorted(a.start for a in paced.attempts)
    slow, five = {"latency_ms_per_token": 10}, {"max_new_tokens": 5}  # 50 ms a request
    seconds = {
        w: _batch(n[1], slow, parameters=five, pace=False, workers=w).seconds for w in (1, 8)
    }
    faulty = _batch(n[2], {"fault_rate": 0.1, "seed": 7}, parameters=short, workers=4)
    return {
        "paced_requests": len(paced.attempts),
        "paced_fraction_of_limit": round((len(starts) - 1) / (starts[-1] - starts[0]) / 20, 3),
        "paced_429s": paced.status_counts().get("429", 0),
        "naive_429s": naive.status_counts().get("429", 0),
        "naive_failed_prompts": len(naive.results) - naive.completed,
        "one_worker_seconds": round(seconds[1], 3),
        "8_workers_seconds": round(seconds[8], 3),
        "concurrency_speedup_8_workers": round(seconds[1] / seconds[8], 2),
        "faulty_batch_completed_fraction": round(faulty.completed / n[2], 4),
        "faulty_batch_retries": faulty.retries,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m helpers.tools.bench")
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke test")
    figures = run(quick=parser.parse_args(argv).quick)
    print("answered_by: local stand-in (helpers.standin), in this process")
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
