"""The benchmark script runs and prints every figure as ``name: value`` (values not judged here)."""

from __future__ import annotations

from helpers.tools import bench


def test_quick_bench_prints_every_figure(capsys):
    bench.main(["--quick"])
    lines = capsys.readouterr().out.strip().splitlines()
    names = [line.split(": ", 1)[0] for line in lines]
    for expected in (
        "paced_fraction_of_limit",
        "paced_429s",
        "naive_429s",
        "concurrency_speedup_8_workers",
        "faulty_batch_completed_fraction",
        "faulty_batch_retries",
    ):
        assert expected in names
    assert all(": " in line for line in lines)
