"""The layer contract of ``helpers`` (``[tool.importlinter]`` in pyproject.toml) holds.

Dependencies point one way: tools -> lessons -> client | standin -> contract | data, with no
import cycles. The second test shows the check has teeth: a copy of the package whose stand-in
imports the client is reported as broken.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STANDIN_CONTRACT = "The stand-in never imports the client or the lessons"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run ``lint-imports`` on the package and pyproject.toml found in ``root``."""
    script = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(script), "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_layer_contract_holds():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "added_import", "contract", "reported"),
    [
        (
            "standin/app.py",
            "from helpers.client import config",
            "The stand-in never imports the client or the lessons",
            "helpers.standin.app -> helpers.client",
        ),
        (
            "client/errors.py",
            "from helpers.client import session",
            "No import cycles inside helpers",
            "- .errors -> .session",
        ),
        (
            "contract.py",
            "from helpers import data",
            "helpers.contract imports nothing of ours",
            "helpers.contract -> helpers.data",
        ),
    ],
    ids=["stand-in imports client", "cycle in client", "contract imports data"],
)
def test_a_wrong_import_breaks_the_contract(tmp_path, module, added_import, contract, reported):
    shutil.copytree(
        ROOT / "helpers", tmp_path / "helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "helpers" / module
    path.write_text(path.read_text() + f"\n{added_import}  # noqa: E402, F401\n")

    done = lint_imports(tmp_path)

    assert done.returncode == 1, done.stdout + done.stderr
    broken = done.stdout.split("Broken contracts", 1)[-1]
    assert f"{contract}\n---" in broken, broken
    assert reported in broken, broken
