"""ruff check and ruff format are clean over helpers, tests and notebooks, and skip third-party code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_is_clean():
    done = ruff("check", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean():
    done = ruff("format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_skips_third_party_code():
    # Catches an `exclude = [...]` (which replaces ruff's defaults) letting ruff lint .venv or
    # tests/standin/js/node_modules: thousands of findings in code that is not ours.
    done = ruff("check", "--show-files", ".")
    assert done.returncode == 0, done.stderr
    checked = done.stdout.splitlines()
    assert any("helpers" in line for line in checked), done.stdout
    assert not [line for line in checked if "node_modules" in line or ".venv" in line]
