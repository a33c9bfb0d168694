"""python -m helpers.tools.keep_outputs: executes in local mode, keeps only tagged outputs."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from helpers.tools.keep_outputs import refresh


def test_only_tagged_cells_keep_their_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    kept = new_code_cell("import os\nprint(os.environ['HF_TUTORIAL_MODE'])")
    kept.metadata["tags"] = ["keep_output"]
    nb.cells = [kept, new_code_cell("print('dropped')")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)

    assert refresh(path) == 1
    result = nbformat.read(path, as_version=4)
    assert result.cells[0].outputs[0]["text"] == "local\n"  # ran in local mode
    assert result.cells[1].outputs == [] and result.cells[1].execution_count is None
    assert __import__("os").environ["HF_TUTORIAL_MODE"] == "live"  # restored


def test_notebooks_carry_no_timestamps_or_widget_state():
    from pathlib import Path

    paths = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
    assert paths, "no notebooks found: the check would pass on nothing"
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        assert "widgets" not in nb.metadata, (
            f"{path.name}: run python -m helpers.tools.keep_outputs"
        )
        for cell in nb.cells:
            assert "execution" not in cell.metadata, (
                f"{path.name}: run python -m helpers.tools.keep_outputs"
            )
