"""Structural checks of the notebooks: order, skeleton, kernel, outputs, links, secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAME = re.compile(r"^(\d\d)_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")
SKELETON = ["## Setup", "## Exercises", "## Summary", "## Next", "## References"]
SETUP_CODE = "from helpers import connect\n\nhf = connect()"
RETIRED_HOST = "https://api-inference.huggingface.co"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def headings(nb: dict) -> list[str]:
    lines = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            lines += [ln for ln in "".join(cell["source"]).splitlines() if ln.startswith("#")]
    return lines


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


def test_numbered_from_00_without_gaps():
    numbers = []
    for path in NOTEBOOKS:
        match = NAME.match(path.name)
        assert match, f"{path.name} is not NN_snake_case.ipynb"
        numbers.append(int(match.group(1)))
    assert numbers == list(range(len(NOTEBOOKS)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernel_is_python3(path):
    assert load(path)["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_title_carries_the_number(path):
    first = "".join(load(path)["cells"][0]["source"]).splitlines()[0]
    assert first.startswith(f"# {path.name[:2]} · ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_skeleton_headings_in_order(path):
    found = headings(load(path))
    positions = [found.index(h) for h in SKELETON]  # raises if one is missing
    assert positions == sorted(positions)
    first_cell = "".join(load(path)["cells"][0]["source"])
    assert "**You will learn**" in first_cell and "**Before you start**" in first_cell


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_is_the_same_everywhere(path):
    cells = load(path)["cells"]
    index = next(i for i, c in enumerate(cells) if "".join(c["source"]).startswith("## Setup"))
    assert "".join(cells[index + 1]["source"]) == SETUP_CODE


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_outputs_except_keep_output_and_no_errors(path):
    for cell in load(path)["cells"]:
        outputs = cell.get("outputs") or []
        assert not any(o.get("output_type") == "error" for o in outputs)
        if outputs:
            assert "keep_output" in cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "code" and "keep_output" not in cell.get("metadata", {}).get(
            "tags", []
        ):
            assert cell.get("execution_count") is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_links_to_other_notebooks_resolve(path):
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)", text):
        assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


@pytest.mark.parametrize("path", NOTEBOOKS[:-1], ids=lambda p: p.name)
def test_next_section_links_to_the_following_notebook(path):
    following = NOTEBOOKS[NOTEBOOKS.index(path) + 1].name
    nb = load(path)
    next_cell = next("".join(c["source"]) for c in nb["cells"] if "## Next" in "".join(c["source"]))
    assert f"({following})" in next_cell


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_retired_host_is_never_called_from_code(path):
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code":
            assert RETIRED_HOST not in "".join(cell["source"])


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_have_solutions_that_run(path):
    cells = load(path)["cells"]
    sources = ["".join(c["source"]) for c in cells]
    exercises = next(s for s in sources if "## Exercises" in s)
    numbered = re.findall(r"^\d+\. ", exercises.split("## Exercises", 1)[1].split("\n## ")[0], re.M)
    assert len(numbered) >= 2, "two or three exercises per notebook"
    text = "\n".join(sources)
    assert text.index("## Solutions") > text.index("## References"), "solutions come last"
    solutions_at = next(i for i, s in enumerate(sources) if "## Solutions" in s)
    assert any(c["cell_type"] == "code" for c in cells[solutions_at:]), (
        "solutions are code that runs"
    )
