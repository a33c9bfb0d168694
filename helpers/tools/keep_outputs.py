"""``python -m helpers.tools.keep_outputs NOTEBOOK…``: refresh the outputs a notebook keeps.

Runs each notebook in local mode (the stand-in answers), then keeps the outputs of the cells
tagged ``keep_output`` (deterministic charts and tables) and strips every other output and
execution count, which is the state the repository's structural tests expect.
"""

from __future__ import annotations

import argparse
import copy
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.reader import NotJSONError

KEEP_TAG = "keep_output"


def _tagged(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and KEEP_TAG in cell.metadata.get("tags", [])


def refresh(path: Path, timeout: int = 300) -> int:
    """Execute ``path`` in local mode and rewrite it; return the number of outputs kept.

    A notebook with no ``keep_output`` cell is not executed. The notebook's own metadata is
    kept as it was (execution would add this machine's ``language_info``), and the file is
    rewritten only when its text changes. Raises nbclient's ``CellExecutionError`` (the
    notebook is left untouched) if a cell fails.
    """
    original = path.read_text(encoding="utf-8")
    nb = nbformat.reads(original, as_version=4)
    metadata = copy.deepcopy(nb.metadata)
    if any(_tagged(cell) for cell in nb.cells):
        env = {**os.environ, "HF_TUTORIAL_MODE": "local"}  # the kernel's, not this process's
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute(env=env)
    nb.metadata = metadata
    kept = 0
    nb.metadata.pop("widgets", None)  # widget state has random ids; the widgets are not kept
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps: they would change on every run
        if cell.cell_type != "code":
            continue
        if _tagged(cell):
            kept += len(cell.outputs)
            continue
        cell.outputs = []
        cell.execution_count = None
    text = nbformat.writes(nb)
    if not text.endswith("\n"):
        text += "\n"  # nbformat.write adds it too
    if text != original:
        path.write_text(text, encoding="utf-8")
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
        except (NotJSONError, ValueError, KeyError) as error:  # nbformat's reader raises these
            reason = type(error).__name__
            parser.exit(2, f"{path} is not a notebook (.ipynb JSON) ({reason}); nothing was run.\n")
        print(f"{path}: kept {kept} outputs")


if __name__ == "__main__":
    main()
