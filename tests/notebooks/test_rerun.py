"""A lesson cell run again after Run All reads what it read the first time.

Learners scroll back and re-run a cell. If a later cell (a lesson cell, a "Copy this" snippet or
a solution) rebinds a name that the cell takes from the cells before it, the re-run reads the
later value: notebook 10 sent a snippet's TGI body to the chat URL (a bare 400), 11 looked up a
``model:provider`` id in the catalogue (``StopIteration``) and put an openai object in a JSON
body. Read statically from the cells: a name counts as bound by a cell when it is assigned,
imported, defined or caught at the cell's top level (not inside a function or a comprehension),
and two bindings agree only when both are the same ``name = expression`` or import. For the
same reason no cell stops a demo stand-in that an earlier cell started.

Not seen (no notebook does it today): a later cell that changes a shared object in place
(``body["stream"] = True``, ``messages.append(…)``), a cell that reads a name before it rebinds
it, ``global`` and ``import *``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from cell_names import free_reads, module_bindings
from notebook_budgets import python_of, tags

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def stale_reads(cells: list[dict]) -> list[str]:
    """Return ``"name (cell i, rebound by cell j)"`` for each name a non-snippet cell takes from
    earlier cells that a later cell binds to something else, or that a snippet bound last."""
    code = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            tree = python_of(cell)
            code.append((i, module_bindings(tree), free_reads(tree), "snippet" in tags(cell)))
    found = []
    for i, _, reads, is_snippet in code:
        for name in sorted(reads) if not is_snippet else ():
            before = [(j, b[name], s) for j, b, _, s in code if j < i and name in b]
            after = [(j, b[name]) for j, b, _, _ in code if j > i and name in b]
            lesson = [value for _, value, snippet in before if not snippet]
            intended = lesson[-1] if lesson else None  # what the lesson bound last
            if before and before[-1][1] != intended:
                found.append(f"{name} (cell {i}, bound by snippet {before[-1][0]})")
            for j, value in after:
                if value != intended:
                    found.append(f"{name} (cell {i}, rebound by cell {j})")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_cell_run_again_after_run_all_reads_what_it_read_first(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert stale_reads(cells) == [], f"{path.name}: give the later cell's variable its own name"


def code_cell(text: str, *tags_: str) -> dict:
    return {"cell_type": "code", "metadata": {"tags": list(tags_)}, "source": text}


def test_the_check_finds_a_later_cell_rebinding_what_an_earlier_one_reads():
    lesson, reader = code_cell("body = {'a': 1}"), code_cell("send(body)")
    same, other = code_cell("body = {'a': 1}", "snippet"), code_cell("body = {'inputs': 'x'}")
    assert stale_reads([lesson, reader, same]) == []
    assert stale_reads([lesson, reader, other]) == ["body (cell 1, rebound by cell 2)"]
    assert stale_reads([lesson, code_cell("def f(body):\n    return body"), other]) == []
    hidden = code_cell("def f(body):\n    return body\n\n\nf(body)")  # notebook 02, cell 16
    assert stale_reads([lesson, hidden, other]) == ["body (cell 1, rebound by cell 2)"]
    loops = [
        code_cell("for x in a:\n    pass"),
        code_cell("print(x)"),
        code_cell("for x in b:\n    pass"),
    ]
    assert stale_reads(loops) == ["x (cell 1, rebound by cell 2)"]  # two loops, one line each
    grown = [code_cell("n = 1\nn += 1"), code_cell("print(n)"), code_cell("n = 1")]
    assert stale_reads(grown) == ["n (cell 1, rebound by cell 2)"]  # n = 1 is not what it read
    imports = [code_cell("import os"), code_cell("os.getcwd()"), code_cell("import json, os.path")]
    assert stale_reads(imports) == []  # every one binds os to the os module
    snippet_then_solution = [code_cell("body = {}", "snippet"), reader]
    assert stale_reads(snippet_then_solution) == ["body (cell 1, bound by snippet 0)"]


def stops_from_elsewhere(cells: list[dict]) -> list[str]:
    """Return ``"name (cell i)"`` for each ``name.stop()`` in a cell that did not bind ``name``:
    after Run All, re-running a cell that uses that stand-in met a closed port."""
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        tree = python_of(cell)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "stop"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in free_reads(tree)
            ):
                found.append(f"{node.func.value.id} (cell {index})")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_cell_stops_a_stand_in_that_an_earlier_cell_started(path):
    # A demo stand-in runs in the kernel until it restarts; stopping it from a later cell broke
    # re-running the cells between (01, 04 and 10: ConnectionRefusedError, a misleading
    # "APIConnectionError after 0 chunks"). ``with start() as x:`` or start and stop in one cell.
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert stops_from_elsewhere(cells) == []


def test_the_stop_check_tells_a_later_stop_from_one_in_the_same_cell():
    started, stopped = code_cell("demo = start()\nuse(demo)"), code_cell("use(demo)\ndemo.stop()")
    assert stops_from_elsewhere([started, stopped]) == ["demo (cell 1)"]
    assert stops_from_elsewhere([code_cell("demo = start()\nuse(demo)\ndemo.stop()")]) == []
