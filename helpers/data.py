"""Finding the repository's ``data/`` folder."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def data_path(name: str) -> Path:
    """Return the path of ``data/<name>``; raise FileNotFoundError with the fix if absent."""
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing. Install helpers from a checkout of the repository "
            "(pip install -e .), so that data/ sits beside the package."
        )
    return path
