"""The helpers package keeps the size, error and import budgets of issue 19 (DESIGN.md §4).

Lines are physical lines of every ``.py`` file (blank lines, comments and docstrings count), read
from the files. A function's length runs from its ``def`` line to its last line (decorators
left out, docstring in). Each test fails, naming the offenders, when a budget breaks.

Bugs caught: the stand-in growing back past its budget, one module or function that does
everything, exception classes multiplying again (or a 404 that is also a ``LookupError``, which
``except LookupError`` around dictionary code swallows), ``import helpers`` loading FastAPI or
numpy before any stand-in starts, and TGI's rule texts copied into a second module.
The import *time* is a measure, not a test: ``python tests/bench_import.py`` prints it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "helpers"
MAX_TOTAL, MAX_STANDIN, MAX_CLIENT_SIDE = 6000, 3500, 2500
MAX_MODULE_LINES, MAX_FUNCTION_LINES, MAX_EXCEPTIONS = 400, 60, 12
CLIENT_SIDE = ("client", "lessons", "__init__.py", "contract.py", "data.py")
HEAVY = ("fastapi", "starlette", "uvicorn", "numpy", "pandas")
TGI_TEXTS = (
    # Fragments of TGI's own messages (router/src/validation.rs), written once in helpers/.
    "must be strictly positive",
    "must be > 0.0 and < 1.0",
)


def modules(under: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def total(paths: list[Path]) -> int:
    return sum(lines(p) for p in paths)


def name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def test_helpers_stays_within_6000_lines():
    found = total(modules())
    assert found <= MAX_TOTAL, f"{found} lines"


def test_the_stand_in_stays_within_3500_lines():
    found = total(modules(PACKAGE / "standin"))
    assert found <= MAX_STANDIN, f"{found} lines"


def test_client_lessons_and_top_modules_stay_within_2500_lines():
    paths: list[Path] = []
    for part in CLIENT_SIDE:
        target = PACKAGE / part
        paths += modules(target) if target.is_dir() else [target]
    assert all(p.exists() for p in paths)
    found = total(paths)
    assert found <= MAX_CLIENT_SIDE, f"{found} lines: { ({name(p): lines(p) for p in paths}) }"


def test_no_module_is_over_400_lines():
    over = {name(p): lines(p) for p in modules() if lines(p) > MAX_MODULE_LINES}
    assert over == {}


def long_functions(path: Path) -> dict[str, int]:
    """Return ``{"path:line name": lines}`` for every function of ``path`` over the budget."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found[f"{name(path)}:{node.lineno} {node.name}"] = length
    return found


def test_no_function_is_over_60_lines():
    over = {}
    for path in modules():
        over |= long_functions(path)
    assert over == {}


def test_the_function_measure_counts_the_docstring_and_not_the_decorators(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(57))
    probe = tmp_path / "probe.py"
    probe.write_text(f'@decorator\n@another\ndef f():\n    """Doc."""\n{body}\n    return 1\n')
    assert list(long_functions(probe).values()) == []  # 1 + 1 + 57 + 1 = 60 lines: at budget
    probe.write_text(probe.read_text() + "\n\ndef g():\n" + body + "\n" + body + "\n")
    assert list(long_functions(probe).values()) == [115]


def exception_classes() -> list[type[BaseException]]:
    """Return every exception class defined in helpers/ outside the stand-in, by import."""
    import helpers

    found = []
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if info.name.startswith("helpers.standin") or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name and issubclass(cls, BaseException):
                found.append(cls)
    return found


def test_at_most_12_exception_classes_outside_the_stand_in():
    found = sorted(f"{c.__module__}.{c.__qualname__}" for c in exception_classes())
    assert len(found) <= MAX_EXCEPTIONS, found


def carries_status(cls: type) -> bool:
    """True when ``cls`` or a base of ours takes an HTTP status (``status``/``status_code``)."""
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        ours = klass.__module__.startswith("helpers.") and init is not None
        if ours and {"status", "status_code"} & set(inspect.signature(init).parameters):
            return True
    return False


def test_no_error_is_a_lookup_error_and_no_http_answer_is_a_value_error():
    # The rule: no class of ours is a LookupError (KeyError, IndexError) at all; a class that
    # carries an HTTP status (the status-carrying base and every subclass) is not a
    # ValueError either. A check refused before sending may still be a ValueError.
    classes = exception_classes()
    answers = [c for c in classes if carries_status(c)]
    assert answers, "a status-carrying base class (its __init__ takes status=)"
    lookups = [c.__qualname__ for c in classes if issubclass(c, LookupError)]
    values = [c.__qualname__ for c in answers if issubclass(c, ValueError)]
    assert (lookups, values) == ([], [])


def test_import_helpers_loads_no_web_framework_and_no_numpy():
    probe = f"import sys, helpers; print([m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def top_level_imports(path: Path) -> set[str]:
    """Return the top-level packages ``path`` imports at module level (not inside a function,
    nor under ``if TYPE_CHECKING:``)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_stand_in_imports_openai_only_where_an_answer_is_built():
    """Catches ``import openai`` back at the top of a stand-in module: 0.4 to 0.9 s of CPU in
    every kernel whose lesson asks only the classic routes (helpers/standin/serving/__init__)."""
    assert [name(p) for p in modules(PACKAGE / "standin") if "openai" in top_level_imports(p)] == []


def test_the_import_reader_sees_a_module_level_import_and_not_a_deferred_one(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import openai.types\n", encoding="utf-8")
    assert top_level_imports(module) == {"openai"}
    deferred = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import openai\n"
    module.write_text(deferred + "def f():\n    from openai.types import Model\n", encoding="utf-8")
    assert top_level_imports(module) == {"typing"}


@pytest.mark.parametrize("text", TGI_TEXTS)
def test_tgis_rule_texts_stand_in_exactly_one_module(text):
    holding = [name(p) for p in modules() if text in p.read_text(encoding="utf-8")]
    assert len(holding) == 1, holding
