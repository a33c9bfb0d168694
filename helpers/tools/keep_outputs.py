"""``python -m helpers.tools.keep_outputs NOTEBOOK…``: refresh the outputs a notebook keeps.

Runs each notebook in local mode (the stand-in answers), then keeps the outputs of the cells
tagged ``keep_output`` (deterministic charts and tables) and strips every other output and
execution count, which is the state the repository's structural tests expect.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

KEEP_TAG = "keep_output"


def refresh(path: Path, timeout: int = 300) -> int:
    """Execute ``path`` in local mode and rewrite it; return the number of outputs kept.

    Raises nbclient's ``CellExecutionError`` (the notebook is left untouched) if a cell fails.
    """
    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, "HF_TUTORIAL_MODE": "local"}  # the kernel's, not this process's
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute(env=env)
    kept = 0
    nb.metadata.pop("widgets", None)  # widget state has random ids; the widgets are not kept
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps: they would change on every run
        if cell.cell_type != "code":
            continue
        if KEEP_TAG in cell.metadata.get("tags", []):
            kept += len(cell.outputs)
            continue
        cell.outputs = []
        cell.execution_count = None
    nbformat.write(nb, path)
    return kept


def main(argv: list[str] | None = None) -> None:
    """Refresh every notebook named on the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.tools.keep_outputs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    paths = parser.parse_args(argv).notebooks
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    for path in paths:
        try:
            kept = refresh(path)
        except CellExecutionError as error:
            parser.exit(1, f"{path}: a cell failed, the notebook was not rewritten.\n{error}\n")
        print(f"{path}: kept {kept} outputs")


if __name__ == "__main__":
    main()
