"""Finding and reading the repository's ``data/`` folder."""

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


def load_prompts(name: str = "prompts.txt") -> list[str]:
    """Return the sample prompts: one per line, blank lines and # comments skipped."""
    lines = (ln.strip() for ln in data_path(name).read_text(encoding="utf-8").splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]
