"""Every "Copy this" snippet runs on its own, as a reader who pastes it into a file would run it.

Each code cell tagged ``snippet`` is written to ``snippet.py`` in an empty folder and run in a
fresh interpreter (``python -I``: no current folder on ``sys.path``, no ``PYTHON*`` variables),
where a meta-path blocker makes ``import helpers`` fail as it would outside this repository (the
editable install would otherwise expose it). The only context it gets is what a reader has: the
environment variables ``HF_TOKEN``, ``HF_ROUTER_URL``, ``HF_HUB_URL`` and ``HF_ENDPOINT_URL``, here
pointing at a local stand-in.

Bugs caught: a snippet that uses a name from an earlier cell (``NameError``), forgets an import,
needs ``helpers``, reads the wrong variable, or calls a route the stand-in (and so the docs it
copies) does not have.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import local_token

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT_S = 60

BLOCK_HELPERS = '''\
"""Run a snippet as __main__ with the repository's ``helpers`` package made unimportable."""
import importlib.abc
import runpy
import sys


class BlockHelpers(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "helpers" or name.startswith("helpers."):
            raise ModuleNotFoundError(f"No module named {name!r} (a snippet must stand alone)")
        return None


sys.meta_path.insert(0, BlockHelpers())
runpy.run_path(sys.argv[1], run_name="__main__")
'''


def snippet_cells() -> list[tuple[str, int, str]]:
    """Return ``(notebook name, cell index, source)`` for every cell tagged ``snippet``."""
    found = []
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for index, cell in enumerate(cells):
            if cell["cell_type"] == "code" and "snippet" in cell.get("metadata", {}).get(
                "tags", []
            ):
                found.append((path.name, index, "".join(cell["source"])))
    return found


def run_snippet(source: str, folder: Path, environ: dict[str, str]) -> subprocess.CompletedProcess:
    """Run ``source`` standalone in ``folder`` with only ``environ`` (plus PATH) set."""
    (folder / "snippet.py").write_text(source, encoding="utf-8")
    (folder / "run_blocked.py").write_text(BLOCK_HELPERS, encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(folder), **environ}
    return subprocess.run(
        [sys.executable, "-I", "run_blocked.py", "snippet.py"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


@pytest.fixture
def reader_environment(stand_in) -> dict[str, str]:
    """What a reader's shell holds: a token and the base URLs, all pointing at a stand-in."""
    return {
        "HF_TOKEN": local_token(),
        "HF_ROUTER_URL": stand_in.url,
        "HF_HUB_URL": stand_in.url,
        "HF_ENDPOINT_URL": stand_in.url + "/endpoints/gpt2",
    }


SNIPPETS = snippet_cells()


@pytest.mark.parametrize(
    "notebook, index, source", SNIPPETS, ids=[f"{n}[{i}]" for n, i, _ in SNIPPETS]
)
def test_snippet_runs_standalone(notebook, index, source, tmp_path, reader_environment):
    done = run_snippet(source, tmp_path, reader_environment)
    assert done.returncode == 0, f"{notebook} cell {index} failed standalone:\n{done.stderr}"
    assert done.stdout.strip(), f"{notebook} cell {index} printed nothing"


def undefined_names(source: str, folder: Path) -> subprocess.CompletedProcess:
    """Run ruff's undefined-name check (F821) on ``source`` as a file of its own."""
    (folder / "snippet.py").write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache"]
        + ["--select", "F821", "--output-format", "concise", "snippet.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


@pytest.mark.parametrize(
    "notebook, index, source", SNIPPETS, ids=[f"{n}[{i}]" for n, i, _ in SNIPPETS]
)
def test_snippet_uses_no_undefined_name(notebook, index, source, tmp_path):
    # Running a snippet only exercises the branches the stand-in takes; a name missing from a
    # retry branch (``random`` in a backoff that never ran) is found by reading the code.
    done = undefined_names(source, tmp_path)
    assert done.returncode == 0, f"{notebook} cell {index}:\n{done.stdout}"


def test_the_name_check_finds_a_name_used_only_in_a_branch(tmp_path):
    source = "import os\n\nif os.environ.get('NEVER'):\n    random.random()\nprint('ok')\n"
    done = undefined_names(source, tmp_path)
    assert done.returncode != 0 and "random" in done.stdout


def test_every_notebook_has_a_snippet():
    assert {name for name, _, _ in SNIPPETS} == {path.name for path in NOTEBOOKS}


def test_a_snippet_missing_an_import_fails(tmp_path, reader_environment):
    broken = 'response = requests.get(os.environ["HF_HUB_URL"] + "/api/whoami-v2", timeout=10)\n'
    done = run_snippet(broken, tmp_path, reader_environment)
    assert done.returncode != 0
    assert "NameError" in done.stderr


def test_a_snippet_that_needs_helpers_fails(tmp_path, reader_environment):
    done = run_snippet(
        "from helpers import connect\nprint(connect())\n", tmp_path, reader_environment
    )
    assert done.returncode != 0
    assert "No module named 'helpers'" in done.stderr


def test_a_snippet_does_not_see_the_test_process_environment(
    tmp_path, reader_environment, monkeypatch
):
    monkeypatch.setenv("HF_TUTORIAL_SECRET_PROBE", "leaked")
    done = run_snippet(
        "import os\nprint(os.environ.get('HF_TUTORIAL_SECRET_PROBE', 'absent'))\n",
        tmp_path,
        reader_environment,
    )
    assert done.stdout.strip() == "absent"
