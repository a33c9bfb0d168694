"""The suite's notebook kernels, forked from one warm Python process per pytest process.

A notebook run starts a kernel, and the kernel imports ipykernel, then ``helpers`` and its
stand-in (FastAPI, pydantic, uvicorn), openai, huggingface_hub, pandas: measured on the
two-core machine of 2026-12-03, 2.5 to 3 CPU-s of every run of 3.5 to 7, and the suite runs
the notebooks 26 times. Here each pytest process starts one server that imports those modules
once, then forks it for every kernel the process's notebook runs ask for. The fork runs the
same ``ipykernel_launcher`` on the same connection file, environment and folder: the notebook
still runs top to bottom in a real kernel, its names still come only from its own cells, and a
missing ``import`` still fails. What it no longer shows is a kernel's import time: a lesson
whose first call is slow because a module loads then (notebook 07's burst, fixed in the
stand-in and pinned by a test in a fresh interpreter) looks faster here than for a learner.
The browser test's JupyterLab starts its kernels as JupyterLab does, and
``TUTORIAL_FRESH_KERNELS=1`` gives every run a fresh kernel process again.

A launch the warm server cannot serve as it is (another command, or an environment that
differs in a variable other than the few a run sets itself) starts a fresh kernel instead, as
jupyter_client would.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import traceback
from importlib.metadata import EntryPoint
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner

NAME = "tutorial-forked-kernel"
WARM_MODULES = (
    "ipykernel.kernelapp",
    "helpers",
    "helpers.standin",
    "openai",
    "huggingface_hub",
    "pandas",
    "tenacity",
    "dotenv",
)
"""What the notebooks import (the stand-in imports numpy). Not matplotlib: it reads
MPLBACKEND when it is imported."""
PER_RUN = frozenset(
    {"HF_TUTORIAL_MODE", "HF_TOKEN", "HF_ROUTER_URL", "HF_HUB_URL", "JPY_PARENT_PID"}
)
"""Variables a run may set differently from the warm server: read when called, not when the
warm modules are imported (huggingface_hub reads HF_ENDPOINT, HF_HOME... at import, so a run
setting those gets a fresh kernel)."""


def server_environment(env: dict[str, str]) -> dict[str, str]:
    """Return ``env`` without what a run sets for itself (pytest's own variables included:
    PYTEST_CURRENT_TEST names each test)."""
    return {k: v for k, v in env.items() if k not in PER_RUN and not k.startswith("PYTEST_")}


def serve(channel_fd: int) -> None:
    """The warm server: import, then fork a kernel for each request read on the channel."""
    for module in WARM_MODULES:
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the forks
    channel = socket.socket(fileno=channel_fd)
    reader = channel.makefile("r")
    forks: list[int] = []
    for line in reader:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            reader.close()
            channel.close()
            run_kernel(request["args"], request["env"], request["cwd"])
        forks.append(pid)
        channel.sendall(f"{pid}\n".encode())
    for pid in forks:  # the pytest process has gone: so do its kernels
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


def run_kernel(args: list[str], env: dict[str, str], cwd: str) -> None:
    """In the fork: become ``python -m ipykernel_launcher *args`` in ``cwd`` with ``env``."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        parent = env.get("JPY_PARENT_PID")  # read by ipykernel at import, from the server's
        watch = [f"--IPKernelApp.parent_handle={parent}"] if parent else []
        sys.argv = ["ipykernel_launcher", *args, *watch]
        sys.path[0] = cwd
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    except BaseException:
        traceback.print_exc()
    finally:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class ForkedProcess:
    """What LocalProvisioner needs of a ``Popen``, for a process that is not our child."""

    stdin = stdout = stderr = None
    returncode: int | None = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._exited = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._exited], [], [], 0)[0]:
            self.returncode = 0  # the server reaped it: its exit code is not ours to read
            os.close(self._exited)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and not select.select([self._exited], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired("kernel", timeout)
        return self.poll()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it exited since: as Popen does
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class WarmServer:
    """The pytest process's side of the channel to its warm server."""

    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair()
        self.env = server_environment(env)
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"import {__name__} as m; m.serve({theirs.fileno()})"],
            env=self.env,
            pass_fds=[theirs.fileno()],
            cwd=os.getcwd(),
        )
        theirs.close()
        ours.settimeout(30)  # a fork takes milliseconds: a server that does not answer is stuck
        self.channel = ours
        self.replies = ours.makefile("r")
        atexit.register(self.process.kill)

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str) -> ForkedProcess | None:
        launcher = [sys.executable, "-m", "ipykernel_launcher"]
        if cmd[:3] != launcher or server_environment(env) != self.env:
            return None
        env = {**env, "JPY_PARENT_PID": str(os.getpid())}  # as jupyter_client's launcher does
        request = {"args": cmd[3:], "env": env, "cwd": cwd}
        try:
            self.channel.sendall((json.dumps(request) + "\n").encode())
            return ForkedProcess(int(self.replies.readline()))
        except (OSError, ValueError):  # no answer, or its kernel already gone: start afresh
            self.process.kill()
            return None


_servers: dict[str, WarmServer] = {}


class ForkedKernelProvisioner(LocalProvisioner):
    """LocalProvisioner, but the kernel is a fork of the warm server when it can be."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        server = _servers.get("warm")
        if server is None or server.process.poll() is not None:
            server = _servers["warm"] = WarmServer(dict(os.environ))
        forked = server.fork(cmd, env, cwd)
        if forked is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = forked
        self.pid = self.pgid = forked.pid
        self.cwd = cwd
        return self.connection_info


def use_forked_kernels() -> None:
    """Make this process's ``python3`` kernels forks of a warm server (not JupyterLab's)."""
    if os.environ.get("TUTORIAL_FRESH_KERNELS") == "1" or not hasattr(os, "pidfd_open"):
        return  # Linux only: macOS's frameworks do not survive a fork, Windows has none
    group = KernelProvisionerFactory.GROUP_NAME
    entry = EntryPoint(NAME, f"{__name__}:ForkedKernelProvisioner", group)
    KernelProvisionerFactory.instance().provisioners[NAME] = entry
    original = KernelSpecManager.get_kernel_spec

    def get_kernel_spec(self, kernel_name: str, *args, **kwargs):
        spec = original(self, kernel_name, *args, **kwargs)
        if kernel_name == "python3":
            spec.metadata = {**spec.metadata, "kernel_provisioner": {"provisioner_name": NAME}}
        return spec

    KernelSpecManager.get_kernel_spec = get_kernel_spec
