"""Structural checks of the notebooks: order, skeleton, kernel, outputs, links, cell rules."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAME = re.compile(r"^(\d\d)_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")
EXPECTED = [
    "00_token_setup.ipynb",
    "01_first_query.ipynb",
    "02_classic_gpt2_request.ipynb",
    "03_payload_parameters.ipynb",
    "04_payload_rules_and_shapes.ipynb",
    "05_errors.ipynb",
    "06_retries_and_timeouts.ipynb",
    "07_rate_limits_and_batches.ipynb",
    "08_pricing_free_vs_endpoints.ipynb",
    "09_router_and_providers.ipynb",
    "10_streaming.ipynb",
    "11_tools_and_structured_output.ipynb",
]
SKELETON = ["## Setup", "## Copy this", "## Exercises", "## Summary", "## Next", "## References"]
MAX_LESSON_CELL_LINES = 15  # STYLE.md: "none over ~15"
MAX_SNIPPET_LINES = 35  # a snippet stands alone: imports, token, URL and errors included
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


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def heading_index(cells: list[dict], heading: str) -> int:
    """Return the index of the markdown cell holding ``heading`` (a line of its own)."""
    return next(
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown" and heading in "".join(c["source"]).splitlines()
    )


def test_the_lessons_exist_in_order():
    assert [path.name for path in NOTEBOOKS] == EXPECTED


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


def test_readme_lists_every_notebook_in_order():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"\(notebooks/(\d\d_[a-z0-9_]+\.ipynb)\)", readme)
    assert list(dict.fromkeys(listed)) == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_copy_this_holds_snippet_cells_just_before_exercises(path):
    cells = load(path)["cells"]
    start, end = heading_index(cells, "## Copy this"), heading_index(cells, "## Exercises")
    snippets = [i for i, c in enumerate(cells) if "snippet" in tags(c)]
    assert snippets, "at least one code cell tagged snippet"
    assert all(start < i < end for i in snippets), "snippet cells sit in the Copy this section"
    assert all(cells[i]["cell_type"] == "code" for i in snippets)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_snippets_never_import_helpers_and_read_the_token_from_the_environment(path):
    for cell in load(path)["cells"]:
        if "snippet" in tags(cell):
            source = "".join(cell["source"])
            assert not re.search(r"^\s*(from|import)\s+helpers\b", source, re.M)
            assert "os.environ" in source and "import os" in source
            assert len(source.splitlines()) <= MAX_SNIPPET_LINES


def lesson_code_cells(nb: dict) -> list[dict]:
    """Code cells before the Solutions, except snippets (which stand alone by design)."""
    cells = nb["cells"]
    end = (
        heading_index(cells, "## Solutions")
        if any("## Solutions" in "".join(c["source"]).splitlines() for c in cells)
        else len(cells)
    )
    return [c for c in cells[:end] if c["cell_type"] == "code" and "snippet" not in tags(c)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_cells_have_no_assert(path):
    offenders = []
    for cell in lesson_code_cells(load(path)):
        source = "".join(cell["source"])
        tree = ast.parse(
            "\n".join(ln for ln in source.splitlines() if not ln.startswith(("%", "!")))
        )
        if any(isinstance(node, ast.Assert) for node in ast.walk(tree)):
            offenders.append(source.splitlines()[0])
    assert offenders == [], "lessons show results; tests assert them (STYLE.md, cell rules)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_cells_are_short(path):
    long_cells = [
        "".join(c["source"]).splitlines()[0]
        for c in lesson_code_cells(load(path))
        if len("".join(c["source"]).splitlines()) > MAX_LESSON_CELL_LINES
    ]
    assert long_cells == [], f"split cells longer than {MAX_LESSON_CELL_LINES} lines"


ANCHOR_LINK = re.compile(
    r"\]\(((?:\.\./)?(?:README|notebooks/REFERENCES|REFERENCES)\.md)#([a-z0-9-]+)\)"
)


def anchors_of(markdown_file: Path) -> set[str]:
    """Return the explicit ``<a id>`` anchors and GitHub's heading slugs of a markdown file."""
    text = markdown_file.read_text(encoding="utf-8")
    found = set(re.findall(r'<a id="([a-z0-9-]+)"', text))
    for heading in re.findall(r"^#+ (.+)$", text, re.M):
        slug = re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("path", [*NOTEBOOKS, ROOT / "README.md"], ids=lambda p: p.name)
def test_links_to_the_glossary_and_references_name_existing_anchors(path):
    text = path.read_text(encoding="utf-8")
    for target, anchor in ANCHOR_LINK.findall(text):
        file = (path.parent / target).resolve()
        assert file.exists(), f"{path.name} links to missing {target}"
        assert anchor in anchors_of(file), f"{path.name} links to {target}#{anchor}, not there"


def test_readme_lists_each_notebooks_snippets():
    # Bug caught: a snippet added to a notebook (or removed) without its row in the README's
    # "Copy this: the snippets" table, which is where copy-paste readers look.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Copy this: the snippets", 1)[1].split("\n## ", 1)[0]
    listed = {path.name[:2]: 0 for path in NOTEBOOKS}
    for number in re.findall(r"^\| (\d\d) \|", table, re.M):
        listed[number] = listed.get(number, 0) + 1
    tagged = {
        path.name[:2]: sum("snippet" in tags(c) for c in load(path)["cells"]) for path in NOTEBOOKS
    }
    assert listed == tagged
