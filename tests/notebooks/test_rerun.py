"""A lesson cell run again after Run All reads what it read the first time.

Learners scroll back and re-run a cell. If a later cell (a lesson cell, a "Copy this" snippet or
a solution) rebinds a name that the cell takes from the cells before it, the re-run reads the
later value: notebook 10 sent a snippet's TGI body to the chat URL (a bare 400), 11 looked up a
``model:provider`` id in the catalogue (``StopIteration``) and put an openai object in a JSON
body. Read statically from the cells: a name counts as bound by a cell when it is assigned,
imported, defined or caught at the cell's top level (not inside a function or a comprehension),
and two bindings agree only when both are the same ``name = expression`` or import. For the
same reason no cell stops a demo stand-in that an earlier cell started.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from notebook_budgets import python_of, tags

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def named(node: ast.AST) -> str | None:
    """Return the name a def, class or ``except … as`` binds, if any."""
    return (
        getattr(node, "name", None) if isinstance(node, (*NEW_SCOPES, ast.ExceptHandler)) else None
    )


def module_bindings(tree: ast.Module) -> dict[str, str]:
    """Return each name a cell binds in the notebook's namespace, with what it binds it to: the
    ``ast.dump`` of a top-level ``name = value`` or import, else a marker that matches nothing."""
    bound: dict[str, str] = {}
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if name := named(node):
            bound.setdefault(name, f"<bound at line {node.lineno}>")
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
    """Return the names a cell reads and binds nowhere in it (parameters included)."""
    nodes = list(ast.walk(tree))
    own = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    own |= {n.arg for n in nodes if isinstance(n, ast.arg)} | {named(n) for n in nodes}
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            own |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return {n.id for n in nodes if isinstance(n, ast.Name) and n.id not in own}


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
