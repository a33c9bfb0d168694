"""Measure what ``import helpers`` costs in a fresh interpreter (the budget: 0.3 s, issue 19).

A benchmark, not a test (timings vary with the machine's load): run it by hand,
``.venv/bin/python tests/bench_import.py``. It prints ``name: value`` lines: the median of
five fresh interpreters' cumulative import time of ``helpers`` (``python -X importtime``), the
number of modules the import loads, and the heavy ones among them (none is the budget;
tests/test_package_budget.py checks that part).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("fastapi", "starlette", "uvicorn", "numpy", "pandas")
RUNS = 5


def import_seconds() -> float:
    """Return the cumulative import time of ``helpers`` in a fresh interpreter, in seconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import helpers"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    last = [line for line in done.stderr.splitlines() if line.endswith("| helpers")][-1]
    return int(last.split("|")[1]) / 1e6


def loaded_modules() -> list[str]:
    probe = "import sys; before = set(sys.modules); import helpers; print(*sorted(set(sys.modules) - before))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def main() -> None:
    seconds = statistics.median(import_seconds() for _ in range(RUNS))
    loaded = loaded_modules()
    heavy = sorted({m.split(".")[0] for m in loaded} & set(HEAVY))
    print(f"import_helpers_s: {seconds:.3f}")
    print(f"import_helpers_modules: {len(loaded)}")
    print(f"import_helpers_heavy: {','.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
