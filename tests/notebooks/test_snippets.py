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

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from notebook_budgets import python_of, tags

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


NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def module_bindings(tree: ast.Module) -> dict[str, str]:
    """Return each name a cell binds in the notebook's namespace, with what it binds it to: the
    ``ast.dump`` of a top-level ``name = value`` or import, else a marker that matches nothing.
    Function bodies, classes and comprehensions are skipped: their names stay local."""
    bound: dict[str, str] = {}
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (*NEW_SCOPES, ast.ExceptHandler)) and getattr(node, "name", None):
            bound.setdefault(node.name, f"<bound at line {node.lineno}>")
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.setdefault(node.id, f"<bound at line {node.lineno}>")
        if not isinstance(node, (*NEW_SCOPES, *COMPREHENSIONS)):
            pending.extend(ast.iter_child_nodes(node))
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            if isinstance(statement.targets[0], ast.Name):
                bound[statement.targets[0].id] = ast.dump(statement.value)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                bound[(alias.asname or alias.name).split(".")[0]] = ast.dump(statement)
    return bound


def free_reads(tree: ast.Module) -> set[str]:
    """Return the names a cell reads and binds nowhere in it (parameters included): the ones it
    takes from the cells run before it."""
    nodes = list(ast.walk(tree))
    own = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    own |= {n.arg for n in nodes if isinstance(n, ast.arg)}
    own |= {
        n.name
        for n in nodes
        if isinstance(n, (*NEW_SCOPES, ast.ExceptHandler)) and getattr(n, "name", None)
    }
    own |= {
        (a.asname or a.name).split(".")[0]
        for n in nodes
        if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in n.names
    }
    return {n.id for n in nodes if isinstance(n, ast.Name) and n.id not in own}


def clobbered_names(cells: list[dict]) -> list[str]:
    """Return ``"name (cell i)"`` for each name a non-snippet cell takes from earlier cells that a
    snippet binds to something else than the lesson does: re-run after Run All, that cell would
    read the snippet's value (notebook 10 sent the snippet's TGI body to the chat URL)."""
    code = [
        (i, python_of(c), "snippet" in tags(c))
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
    ]
    snippet_values: dict[str, set[str]] = {}
    lesson_values: dict[str, set[str]] = {}
    for _, tree, is_snippet in code:
        for name, value in module_bindings(tree).items():
            (snippet_values if is_snippet else lesson_values).setdefault(name, set()).add(value)
    return [
        f"{name} (cell {index})"
        for index, tree, is_snippet in code
        if not is_snippet
        for name in sorted(free_reads(tree) & snippet_values.keys())
        if name not in lesson_values
        or len(snippet_values[name] | lesson_values[name]) > 1
        or len(lesson_values[name]) > 1
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_snippet_leaves_the_lessons_variables_alone(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert clobbered_names(cells) == [], f"{path.name}: rename the snippet's variables"


def test_the_clobber_check_finds_a_snippet_rebinding_a_lesson_variable():
    lesson = {"cell_type": "code", "metadata": {}, "source": "body = {'a': 1}\nprint(body)"}
    reader = {"cell_type": "code", "metadata": {}, "source": "send(body)"}
    same = {"cell_type": "code", "metadata": {"tags": ["snippet"]}, "source": "body = {'a': 1}"}
    other = {**same, "source": "body = {'inputs': 'x'}"}
    assert clobbered_names([lesson, reader, same]) == []
    assert clobbered_names([lesson, reader, other]) == ["body (cell 1)"]
