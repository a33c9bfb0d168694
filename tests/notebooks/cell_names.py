"""What a notebook cell binds and what it reads, from its source (AST, nothing run).

Shared by ``test_rerun.py`` (re-running a cell after Run All) and ``test_browser.py`` (the cells a
widget's cell needs). A name is bound by a cell when it is assigned, imported, defined or caught
at the cell's top level; function bodies, classes and comprehensions keep their names local.
"""

from __future__ import annotations

import ast
import collections
import itertools

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


def module_bindings(tree: ast.Module) -> dict[str, str]:
    """Return each name a cell binds in the notebook's namespace, with what it binds it to: when
    the cell's only binding of the name is one top-level ``name = value`` (``a, b = 1, 2`` too)
    or import, that value
    (``ast.dump``) or module; else a marker that matches nothing. Function bodies, classes and
    comprehensions are skipped: their names stay local."""
    stores = collections.Counter(name for node in scope_nodes(tree) for name in stored_names(node))
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
