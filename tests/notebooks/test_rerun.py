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
import itertools
import json
from pathlib import Path

import pytest
from notebook_budgets import python_of, tags

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
MARKERS = itertools.count()  # each binding that is not a plain value gets a marker of its own


def named(node: ast.AST) -> str | None:
    """Return the name a def, class or ``except … as`` binds, if any."""
    return (
        getattr(node, "name", None) if isinstance(node, (*NEW_SCOPES, ast.ExceptHandler)) else None
    )


def stored_names(node: ast.AST) -> list[str]:
    """Return the names one node binds: an assignment target, a def, an ``as``, an import."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        return [node.id]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    return [name] if (name := named(node)) else []


def imported(statement: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    """Return what an import binds a name to: ``import os`` and ``import os, json`` agree."""
    if isinstance(statement, ast.ImportFrom):
        return f"from {'.' * statement.level}{statement.module} import {alias.name}"
    return f"import {alias.name if alias.asname else alias.name.split('.')[0]}"


def module_bindings(tree: ast.Module) -> dict[str, str]:
    """Return each name a cell binds in the notebook's namespace, with what it binds it to: when
    the cell's only binding of the name is one top-level ``name = value`` (``a, b = 1, 2`` too)
    or import, that value
    (``ast.dump``) or module; else a marker that matches nothing. Function bodies, classes and
    comprehensions are skipped: their names stay local."""
    stores: dict[str, int] = {}
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        for name in stored_names(node):
            stores[name] = stores.get(name, 0) + 1
        if not isinstance(node, (*NEW_SCOPES, *COMPREHENSIONS)):
            pending.extend(ast.iter_child_nodes(node))
    bound = {name: f"<binding {next(MARKERS)}>" for name in stores}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            targets, values = statement.targets[0], statement.value
            pairs = [(targets, values)]
            if isinstance(targets, ast.Tuple) and isinstance(values, ast.Tuple):  # a, b = 1, 2
                pairs = list(zip(targets.elts, values.elts, strict=False))
            for target, value in pairs:
                if isinstance(target, ast.Name) and stores[target.id] == 1:
                    bound[target.id] = ast.dump(value)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias, name in zip(statement.names, stored_names(statement), strict=True):
                if stores[name] == 1:
                    bound[name] = imported(statement, alias)
    return bound


def scope_nodes(scope: ast.AST) -> list[ast.AST]:
    """Return the nodes of one scope: nested functions, classes and comprehensions are left out,
    but their defaults, decorators and first iterable (evaluated in this scope) are not."""
    found, pending = [], list(ast.iter_child_nodes(scope))
    while pending:
        node = pending.pop()
        found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pending += [
                *node.args.defaults,
                *node.args.kw_defaults,
                *getattr(node, "decorator_list", []),
            ]
        elif isinstance(node, COMPREHENSIONS):
            pending.append(node.generators[0].iter)
        elif not isinstance(node, ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))
    return [n for n in found if n is not None]


def free_reads(tree: ast.Module) -> set[str]:
    """Return the names a cell reads and binds nowhere in its own top level: the ones it takes
    from earlier cells. A function's parameter hides only that function's reads."""
    module = {name for node in scope_nodes(tree) for name in stored_names(node)}
    reads: set[str] = set()
    pending: list[tuple[ast.AST, set[str]]] = [(tree, set())]
    while pending:
        scope, local = pending.pop()
        nodes = scope_nodes(scope)
        local = local | {name for node in nodes for name in stored_names(node)}
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local |= {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)}
        for node in nodes:
            if (
                isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Load)
                and node.id not in local
            ):
                reads.add(node.id)
            if isinstance(node, (*NEW_SCOPES, *COMPREHENSIONS)):
                pending.append((node, local - module))
    return reads - module


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
