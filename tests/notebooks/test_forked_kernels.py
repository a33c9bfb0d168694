"""The suite's forked kernels (tests/forked_kernels.py) run a notebook as a fresh kernel would."""

from __future__ import annotations

import json
import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from tests.forked_kernels import WarmServer

LAUNCHER = [sys.executable, "-m", "ipykernel_launcher", "-f", "kernel.json"]


@pytest.mark.skipif(
    os.environ.get("TUTORIAL_FRESH_KERNELS") == "1" or not hasattr(os, "pidfd_open"),
    reason="kernels are not forked here (TUTORIAL_FRESH_KERNELS=1, or not Linux)",
)
def test_a_forked_kernel_has_the_runs_folder_and_environment_and_no_warm_names(tmp_path):
    """Catches a fork that keeps the warm server's folder or environment (a live rehearsal
    would then run in local mode), or whose notebook sees names the server imported."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import json, os, sys\n"
            "print(json.dumps({'cwd': os.getcwd(), 'mode': os.environ.get('HF_TUTORIAL_MODE'),"
            " 'parent': os.getppid(), 'warm': 'helpers.standin' in sys.modules,"
            " 'names': 'fastapi' in dir() or 'helpers' in dir()}))"
        )
    ]
    env = {**os.environ, "HF_TUTORIAL_MODE": "live"}
    client = NotebookClient(nb, kernel_name="python3", timeout=60)
    client.resources = {"metadata": {"path": str(tmp_path)}}
    client.execute(env=env)
    seen = json.loads(nb.cells[0].outputs[0]["text"])
    assert seen["cwd"] == str(tmp_path)
    assert seen["mode"] == "live"
    assert seen["warm"] and seen["parent"] != os.getpid(), "the kernel was not a fork"
    assert seen["names"] is False


def test_a_run_the_warm_server_cannot_serve_as_it_is_gets_a_fresh_kernel():
    """huggingface_hub reads HF_ENDPOINT when it is imported: a run setting it needs a kernel
    that imports it again; so does a command other than ipykernel's launcher."""
    server = WarmServer.__new__(WarmServer)  # no process: fork() must decide before sending
    server.env = {"PATH": "/usr/bin"}
    assert server.fork(LAUNCHER, {"PATH": "/usr/bin", "HF_ENDPOINT": "http://x"}, "/") is None
    assert server.fork(["other", *LAUNCHER[1:]], {"PATH": "/usr/bin"}, "/") is None
