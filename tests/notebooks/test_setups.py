"""The token and first-query notebooks in the two set-ups a learner most often gets wrong.

Each set-up runs the notebook where it bites (one execution each; nbmake and the live
rehearsal run both notebooks in the other modes):

- **Live, but nothing answers** (01, the first query): ``HF_TUTORIAL_MODE=live``, a well-formed fake token, and
  ``HF_ROUTER_URL`` / ``HF_HUB_URL`` at a loopback port where nothing listens (deterministic with
  or without a network: a workshop without Wi-Fi, a laptop on a train).
- **A ``.env`` holding a token and ``HF_TUTORIAL_MODE=local``** (00, which teaches ``.env``): the banner must say local, and
  the token in ``.env`` must not be spent. The ``.env`` lives in a temporary copy of the
  repository's layout, never in the repository (where a learner's real token may be).

Bugs caught: a cell ending in a raw traceback when the service is unreachable, ``.env`` settings
other than the token being ignored, and the token of ``.env`` printed anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import local_token

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_CHECKED, DOTENV_CHECKED = "01_first_query.ipynb", "00_token_setup.ipynb"
FILES_THE_NOTEBOOKS_READ = [".env.example", "tests/client/test_config.py"]


def closed_port() -> int:
    """Return a loopback port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(**settings: str) -> dict[str, str]:
    """Return this process' environment without any HF_ setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    return {**env, "MPLBACKEND": "Agg", **settings}


def execute(notebook: Path, env: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    client.execute(env=env)
    return nb


def error_cells(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    return [
        (index, f"{output.get('ename')}: {output.get('evalue', '')[:160]}")
        for index, cell in enumerate(nb.cells)
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
        and "raises-exception" not in cell.get("metadata", {}).get("tags", [])
    ]


def first_text(nb: nbformat.NotebookNode) -> str:
    return next((o["text"] for c in nb.cells for o in c.get("outputs", []) if o.get("text")), "")


@pytest.mark.slow
def test_live_with_nothing_listening_falls_back_without_a_traceback():
    name = UNREACHABLE_CHECKED
    token = local_token()
    dead = f"http://127.0.0.1:{closed_port()}"
    env = clean_environment(
        HF_TUTORIAL_MODE="live", HF_TOKEN=token, HF_ROUTER_URL=dead, HF_HUB_URL=dead
    )
    nb = execute(ROOT / "notebooks" / name, env)
    assert error_cells(nb) == []
    said = first_text(nb)
    assert "Could not reach" in said and "LOCAL STAND-IN" in said, said[:300]
    assert token not in json.dumps([c.get("outputs", []) for c in nb.cells])


@pytest.mark.slow
def test_a_dotenv_with_a_token_and_mode_local_stays_local(tmp_path):
    name = DOTENV_CHECKED
    token = local_token()
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / name, tmp_path / "notebooks" / name)
    for relative in FILES_THE_NOTEBOOKS_READ:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    (tmp_path / ".env").write_text(f"HF_TOKEN={token}\nHF_TUTORIAL_MODE=local\n")

    nb = execute(tmp_path / "notebooks" / name, clean_environment())
    assert error_cells(nb) == []
    said = first_text(nb)
    assert said.startswith("LOCAL STAND-IN") and ".env" in said, said[:300]
    assert token not in json.dumps([c.get("outputs", []) for c in nb.cells])
