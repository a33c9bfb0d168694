"""python -m helpers.tools.keep_outputs: executes in local mode, keeps only tagged outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers.tools.keep_outputs import main, refresh

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def write_notebook(path, *cells):
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = KERNELSPEC
    nbformat.write(nb, path)
    return path


def test_only_tagged_cells_keep_their_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
    kept = new_code_cell("import os\nprint(os.environ['HF_TUTORIAL_MODE'])")
    kept.metadata["tags"] = ["keep_output"]
    path = write_notebook(tmp_path / "nb.ipynb", kept, new_code_cell("print('dropped')"))

    assert refresh(path) == 1
    result = nbformat.read(path, as_version=4)
    assert result.cells[0].outputs[0]["text"] == "local\n"  # ran in local mode
    assert result.cells[1].outputs == [] and result.cells[1].execution_count is None
    assert os.environ["HF_TUTORIAL_MODE"] == "live"  # this process's mode is untouched


def test_a_missing_notebook_is_named_without_a_traceback(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path / "nope.ipynb")])
    assert stop.value.code == 2
    assert "no such notebook: " + str(tmp_path / "nope.ipynb") in capsys.readouterr().err


def test_a_failing_cell_leaves_the_notebook_as_it_was(tmp_path, capsys):
    kept = new_code_cell("print('after')")
    kept.metadata["tags"] = ["keep_output"]  # a notebook with nothing to keep is not run
    path = write_notebook(tmp_path / "broken.ipynb", new_code_cell("1 / 0"), kept)
    before = path.read_bytes()
    with pytest.raises(SystemExit) as stop:
        main([str(path)])
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert "a cell failed, the notebook was not rewritten" in err
    assert "ZeroDivisionError" in err
    assert path.read_bytes() == before


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


def test_a_notebook_without_kept_outputs_is_not_rewritten(tmp_path, capsys):
    # bug caught: "kept 0 outputs" and a rewrite adding this machine's language_info block
    notebooks = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
    source = next(
        path
        for path in notebooks
        if not any(
            "keep_output" in c.metadata.get("tags", [])
            for c in nbformat.read(path, as_version=4).cells
        )
    )
    copy = tmp_path / source.name  # never the repository's own notebook
    copy.write_bytes(source.read_bytes())
    before = copy.stat().st_mtime_ns
    main([str(copy)])
    assert copy.read_bytes() == source.read_bytes()
    assert copy.stat().st_mtime_ns == before
    assert "kept 0 outputs" in capsys.readouterr().out


def test_the_notebooks_metadata_is_left_as_it_was(tmp_path):
    # bug caught: execution wrote the kernel's language_info (with the local Python version)
    kept = new_code_cell("print('kept')")
    kept.metadata["tags"] = ["keep_output"]
    path = write_notebook(tmp_path / "nb.ipynb", kept)
    before = nbformat.read(path, as_version=4).metadata
    assert refresh(path) == 1
    assert nbformat.read(path, as_version=4).metadata == before


def test_a_file_that_is_not_a_notebook_gets_one_line(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# Not a notebook\n")
    with pytest.raises(SystemExit) as stop:
        main([str(readme)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "is not a notebook" in err, err
    assert readme.read_text() == "# Not a notebook\n"
