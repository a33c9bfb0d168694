"""How each notebook measures against the course's budgets (DESIGN.md §6).

Imported by ``test_budgets.py``; run it as a script to print the figures, one ``name: value``
line per measure and notebook (``python tests/notebooks/notebook_budgets.py``).

The definitions are the ones the budgets are written in:

- **words**: whitespace-separated tokens of every markdown cell, tables and ``<details>``
  included;
- **code cells**: every code cell, snippets, exercises and solutions included;
- **lesson code cell**: a code cell outside the sections headed Setup, Copy this, Exercises,
  Solutions, Summary, Next and References, not tagged ``snippet``, ``exercise`` or ``solution``;
- it **leans on helpers** when it reads any attribute of ``hf`` (even ``hf.token``) or uses a
  name imported from ``helpers`` other than ``connect``, ``start``, ``local_token`` and
  ``StandIn`` (the set-up and demo stand-in names).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FIRST_QUERY = "01_first_query.ipynb"
NOT_LESSONS = {"Setup", "Copy this", "Exercises", "Solutions", "Summary", "Next", "References"}
SET_UP_NAMES = {"connect", "start", "local_token", "StandIn"}
MAX_WORDS, MAX_CODE_CELLS, MIN_EXERCISES, MAX_HELPER_SHARE = 1200, 20, 2, 0.35
FIRST_ANSWER_BY_CELL, FIRST_ANSWER_AFTER_WORDS = 3, 250
EXERCISE_LABEL = re.compile(r"^\*\*Exercise (\d+)\.\*\*", re.M)


def source(cell: dict) -> str:
    return "".join(cell["source"])


def tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def python_of(cell: dict) -> ast.Module:
    """Parse a code cell, IPython magics and shell escapes left out."""
    lines = [ln for ln in source(cell).splitlines() if not ln.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


def names_from_helpers(cells: list[dict]) -> set[str]:
    """Return every name a notebook binds by importing from ``helpers``, set-up names aside."""
    names: set[str] = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(python_of(cell)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "helpers":
                names |= {alias.asname or alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                names |= {
                    (alias.asname or alias.name).split(".")[0]
                    for alias in node.names
                    if alias.name.split(".")[0] == "helpers"
                }
    return names - SET_UP_NAMES


def lesson_cells(cells: list[dict]) -> list[dict]:
    """Return the lesson code cells (see the module docstring)."""
    section, found = None, []
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in source(cell).splitlines():
                if line.startswith("## "):
                    section = line[3:].strip()
        elif section not in NOT_LESSONS and not tags(cell) & {"snippet", "exercise", "solution"}:
            found.append(cell)
    return found


def leans_on_helpers(cell: dict, helper_names: set[str]) -> bool:
    for node in ast.walk(python_of(cell)):
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "hf":
            return True
        if isinstance(node, ast.Name) and node.id in helper_names:
            return True
    return False


def is_empty_exercise(cell: dict) -> bool:
    """True when an exercise cell holds comments only (room for the learner's code)."""
    lines = [ln.strip() for ln in source(cell).splitlines() if ln.strip()]
    return bool(lines) and all(ln.startswith("#") for ln in lines)


def is_hidden(cell: dict) -> bool:
    shown = cell.get("metadata", {}).get("jupyter", {})
    return bool(shown.get("source_hidden")) and bool(shown.get("outputs_hidden"))


@dataclass
class Measure:
    name: str
    words: int
    code_cells: int
    exercises: int
    empty_exercise_cells: int
    solutions: int
    hidden_solutions: int
    lesson_cells: int
    leaning_cells: int
    first_answer_cell: int | None
    words_before_first_answer: int | None

    @property
    def helper_share(self) -> float:
        return self.leaning_cells / self.lesson_cells if self.lesson_cells else 0.0


def measure(path: Path) -> Measure:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    exercises = [
        label
        for c in cells
        if c["cell_type"] == "markdown"
        for label in EXERCISE_LABEL.findall(source(c))
    ]
    tries = [c for c in code if "exercise" in tags(c)]
    solutions = [c for c in code if "solution" in tags(c)]
    helper_names = names_from_helpers(cells)
    lessons = lesson_cells(cells)
    first_cell = first_words = None
    words_so_far = 0
    for cell in cells:
        if "first-answer" in tags(cell):
            first_cell, first_words = code.index(cell) + 1, words_so_far
            break
        if cell["cell_type"] == "markdown":
            words_so_far += len(source(cell).split())
    return Measure(
        name=path.name,
        words=sum(len(source(c).split()) for c in cells if c["cell_type"] == "markdown"),
        code_cells=len(code),
        exercises=len(exercises),
        empty_exercise_cells=sum(is_empty_exercise(c) for c in tries),
        solutions=len(solutions),
        hidden_solutions=sum(is_hidden(c) for c in solutions),
        lesson_cells=len(lessons),
        leaning_cells=sum(leans_on_helpers(c, helper_names) for c in lessons),
        first_answer_cell=first_cell,
        words_before_first_answer=first_words,
    )


def main() -> None:
    for path in NOTEBOOKS:
        m = measure(path)
        stem = path.stem
        print(f"{stem}.words: {m.words}")
        print(f"{stem}.code_cells: {m.code_cells}")
        print(f"{stem}.exercises: {m.exercises}")
        print(f"{stem}.helper_share: {m.helper_share:.2f} ({m.leaning_cells}/{m.lesson_cells})")
        if m.first_answer_cell is not None:
            print(f"{stem}.first_answer_code_cell: {m.first_answer_cell}")
            print(f"{stem}.words_before_first_answer: {m.words_before_first_answer}")


if __name__ == "__main__":
    sys.exit(main())
