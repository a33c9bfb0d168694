"""``python -m helpers.tools.keep_outputs NOTEBOOK…``: refresh the outputs a notebook keeps.

Runs each notebook in local mode, keeps the outputs of the cells tagged ``keep_output``
(deterministic charts and tables) and strips every other output, execution count, timestamp and
widget state: the state the repository's structural tests expect.
"""

from __future__ import annotations

import argparse
import copy
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def refresh(path: Path) -> int:
    """Run ``path`` in local mode (only if a cell is tagged ``keep_output``), rewrite it if its
    text changed; return the outputs kept. A failing cell raises and leaves the file as it was."""
    original = path.read_text(encoding="utf-8")
    nb = nbformat.reads(original, as_version=4)
    metadata = copy.deepcopy(nb.metadata)  # execution adds this machine's language_info
    tagged = [
        c.cell_type == "code" and "keep_output" in c.metadata.get("tags", []) for c in nb.cells
    ]
    if any(tagged):
        env = {**os.environ, "HF_TUTORIAL_MODE": "local"}  # the kernel's, not this process's
        resources = {"metadata": {"path": str(path.parent)}}
        NotebookClient(nb, timeout=300, resources=resources).execute(env=env)
    nb.metadata = {k: v for k, v in metadata.items() if k != "widgets"}
    for cell, keep in zip(nb.cells, tagged, strict=True):
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code" and not keep:
            cell.outputs, cell.execution_count = [], None
    text = nbformat.writes(nb).rstrip("\n") + "\n"
    if text != original:
        path.write_text(text, encoding="utf-8")
    return sum(len(cell.outputs) for cell, keep in zip(nb.cells, tagged, strict=True) if keep)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m helpers.tools.keep_outputs")
    parser.add_argument("notebooks", nargs="+", type=Path)
    for path in parser.parse_args(argv).notebooks:
        try:
            print(f"{path}: kept {refresh(path)} outputs")
        except FileNotFoundError:
            parser.exit(2, f"no such notebook: {path}\n")
        except CellExecutionError as error:
            parser.exit(1, f"{path}: a cell failed, the notebook was not rewritten.\n{error}\n")
        except (ValueError, KeyError) as error:  # nbformat's reader raises these
            parser.exit(2, f"{path} is not a notebook ({type(error).__name__}); nothing was run.\n")


if __name__ == "__main__":
    main()
