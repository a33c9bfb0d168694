"""Developer tools, each run as ``python -m helpers.tools.NAME``: ``bench`` (benchmarks that
print ``name: value`` lines) and ``keep_outputs`` (refresh the kept notebook outputs)."""
