"""Each notebook keeps the course's budgets: one idea, the request in view, room to try.

Bugs caught: a notebook that grows past 1,200 words or 20 code cells (two ideas in one), lesson
cells that hand the lesson to ``hf.something()``, an exercise with its answer printed right
under it, a solution that does not run, and a first answer pushed back behind history.
The measures themselves are tested on small notebooks first, so a wrong measure fails too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from notebook_budgets import (
    EXERCISE_LABEL,
    FIRST_ANSWER_AFTER_WORDS,
    FIRST_ANSWER_BY_CELL,
    FIRST_QUERY,
    MAX_CODE_CELLS,
    MAX_HELPER_SHARE,
    MAX_WORDS,
    MIN_EXERCISES,
    NOTEBOOKS,
    measure,
    tags,
)


def md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": [text]}


def code(text: str, *cell_tags: str, hidden: bool = False) -> dict:
    metadata: dict = {"tags": list(cell_tags)}
    if hidden:
        metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    return {"cell_type": "code", "metadata": metadata, "source": [text], "outputs": []}


def write(tmp_path: Path, *cells: dict) -> Path:
    path = tmp_path / "99_probe.ipynb"
    path.write_text(json.dumps({"cells": list(cells), "metadata": {}}))
    return path


def test_the_measure_counts_hf_attributes_and_helper_names_but_not_set_up_names(tmp_path):
    path = write(
        tmp_path,
        md("# 99 · Probe\n\none two three"),
        md("## Setup"),
        code("from helpers import connect\n\nhf = connect()"),
        md("## 1. Lesson"),
        code("import os\nprint(os.environ['HF_TOKEN'])"),
        code("print(hf.token)"),
        code("from helpers.standin import start\ndemo = start()"),
        code("from helpers.contract import GPT2\nprint(GPT2)"),
        md("## Copy this"),
        code("print(hf.mode)", "snippet"),
    )
    m = measure(path)
    assert (m.lesson_cells, m.leaning_cells) == (4, 2)
    assert m.words == 7 + 2 + 3 + 3
    assert m.code_cells == 6


def test_the_measure_finds_empty_exercises_hidden_solutions_and_the_first_answer(tmp_path):
    path = write(
        tmp_path,
        md("# 99 · Probe\n\none two"),
        code("from helpers import connect\n\nhf = connect()"),
        code("print('answer')", "first-answer"),
        md("## Exercises"),
        md("**Exercise 1.** Do a thing."),
        code("# Your code here", "exercise"),
        md("**Exercise 2.** Do another."),
        code("x = 1  # already answered", "exercise"),
        md("## Solutions"),
        code("print(1)", "solution", hidden=True),
        code("print(2)", "solution"),
    )
    m = measure(path)
    assert (m.exercises, m.empty_exercise_cells) == (2, 1)
    assert (m.solutions, m.hidden_solutions) == (2, 1)
    assert (m.first_answer_cell, m.words_before_first_answer) == (2, 6)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_idea_fits_in_the_word_and_cell_budget(path):
    m = measure(path)
    assert m.words <= MAX_WORDS, f"{m.words} words of markdown"
    assert m.code_cells <= MAX_CODE_CELLS, f"{m.code_cells} code cells"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_cells_show_the_request_rather_than_a_helper(path):
    m = measure(path)
    assert m.helper_share <= MAX_HELPER_SHARE, (
        f"{m.leaning_cells} of {m.lesson_cells} lesson code cells lean on helpers"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_exercise_leaves_an_empty_cell_to_try_and_has_a_hidden_solution(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    m = measure(path)
    assert m.exercises >= MIN_EXERCISES
    assert m.empty_exercise_cells == m.exercises
    for index, cell in enumerate(cells):
        labels = EXERCISE_LABEL.findall("".join(cell["source"]))
        if cell["cell_type"] == "markdown" and labels:
            assert len(labels) == 1, f"exercises {labels} share a cell: each gets its own"
            following = cells[index + 1]
            assert "exercise" in tags(following), "an exercise is followed by its empty cell"
    assert m.solutions >= m.exercises
    assert m.hidden_solutions == m.solutions, "solutions stay hidden until asked for"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_come_last_and_run_without_an_expected_error(path):
    # nbmake runs every cell, solutions included: one that raises fails the notebook, unless
    # it hides behind raises-exception, which a solution must not carry.
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    heading = next(i for i, c in enumerate(cells) if "## Solutions" in "".join(c["source"]))
    for index, cell in enumerate(cells):
        if "solution" in tags(cell):
            assert index > heading
            assert "raises-exception" not in tags(cell)


def test_the_first_answer_comes_first():
    m = measure(next(p for p in NOTEBOOKS if p.name == FIRST_QUERY))
    assert m.first_answer_cell is not None, "a cell tagged first-answer"
    assert m.first_answer_cell <= FIRST_ANSWER_BY_CELL
    assert m.words_before_first_answer <= FIRST_ANSWER_AFTER_WORDS
