"""Notebook runs shared by several tests: each notebook is executed once per mode.

nbmake runs every notebook in local mode (the default set-up). The live rehearsal below runs
each one again as a learner with a token would: ``HF_TUTORIAL_MODE=live``, a well-formed fake
token, and ``HF_ROUTER_URL`` / ``HF_HUB_URL`` pointing at a stand-in running the ``today``
profile (shaped like today's service). The executed notebook is cached on disk, so the tests
that read its outputs (live behaviour, token safety) share one execution even across xdist
workers.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock
from nbclient import NotebookClient

from helpers import local_token
from helpers.standin import StandIn, start

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LIVE_TOKEN = local_token()
"""One fake token for every live run of this test session (written to disk with the runs)."""


@pytest.fixture(scope="session")
def today_stand_in() -> Iterator[StandIn]:
    """A stand-in running the today profile: what a live learner's notebook talks to here."""
    with start(profile="today") as api:
        yield api


def live_environment(api_url: str, token: str) -> dict[str, str]:
    """Return a kernel environment as a live learner's would be, aimed at ``api_url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(
        HF_TUTORIAL_MODE="live",
        HF_TOKEN=token,
        HF_ROUTER_URL=api_url,
        HF_HUB_URL=api_url,
        MPLBACKEND="Agg",
    )
    return env


@pytest.fixture(scope="session")
def live_run(
    today_stand_in: StandIn, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Path], tuple[nbformat.NotebookNode, str]]:
    """Return a function giving (executed notebook, its token) for a notebook run live.

    Beside each copy, ``<stem>.run.json`` records how long the run took, the credits it spent
    on the today stand-in and the answers that stand-in gave (``"POST /path 200"``): what the
    notebook really sent to the "live" service, as opposed to its local fallback.

    The first caller executes the notebook; later callers, in any xdist worker, read the copy.
    The copies live in this session's own temporary folder: under xdist, the parent of the
    workers' folders; without it, the session's folder itself (its parent is shared by every
    session of the machine, so copies there would outlive the session and be read by the next).
    """
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "live-runs"
    shared.mkdir(exist_ok=True)

    def run(path: Path) -> tuple[nbformat.NotebookNode, str]:
        done = shared / path.name
        token_file = shared / (path.stem + ".token")
        with FileLock(str(done) + ".lock"):
            if not done.exists():
                nb = nbformat.read(path, as_version=4)
                client = NotebookClient(
                    nb,
                    timeout=120,
                    kernel_name="python3",
                    allow_errors=True,
                    resources={"metadata": {"path": str(path.parent)}},
                )
                usage = today_stand_in.app.state.usage
                spent_before, answered_before = usage.spent_usd, usage.answered()
                started = time.monotonic()
                client.execute(env=live_environment(today_stand_in.url, LIVE_TOKEN))
                record = {
                    "seconds": round(time.monotonic() - started, 2),
                    "credits_spent_usd": usage.spent_usd - spent_before,
                    "answered": sorted(usage.answered() - answered_before),
                }
                (shared / (path.stem + ".run.json")).write_text(json.dumps(record))
                token_file.write_text(LIVE_TOKEN)
                nbformat.write(nb, done)
        return nbformat.read(done, as_version=4), token_file.read_text()

    run.folder = shared  # where the copies and their .run.json records are
    return run
