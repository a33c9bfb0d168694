"""A room of learners against one shared stand-in, measured (``python -m helpers.tools.bench --room``).

The stand-in is started the way the README's workshop command starts it (``python -m
helpers.standin --host 127.0.0.1 --port P``, one process, its log going to a file). Load
generators in separate processes each run closed-loop clients: a client sends its next request
only when the previous answer has been read to the end, over one keep-alive connection
(``http.client``, so the generator costs little next to the server). The mix is what a room
of notebooks sends:

* 50 % classic generation, 20 new tokens, on the router path and on ``/models/...``;
* 20 % TGI streams (the classic route with ``"stream": true``), read to the last event;
* 20 % chat on ``/v1/chat/completions`` (half of them streamed), ``max_tokens`` 20;
* 10 % Hub calls: ``/api/whoami-v2`` and ``/api/models/{id}?expand[]=inferenceProviderMapping``.

An error is a status other than 200, a broken connection, or a stream without its last event.
The figures: requests, requests per second, p50/p99 latency, errors, and the server's peak
resident memory (``VmHWM`` in ``/proc/PID/status``).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..contract import CHAT_MODEL, GPT2
from ..lessons.connection import local_token

NEW_TOKENS = 20
PROMPTS = (
    "Once upon a time, in a land far away,",
    "The best way to learn a new language is",
    "Explain in one sentence why the sky is blue:",
    "A short poem about the sea:",
)


@dataclass(frozen=True)
class Call:
    """One request of the mix: method, path, JSON body (or None) and how to judge the answer."""

    kind: str
    method: str
    path: str
    body: bytes | None
    stream_end: bytes | None = None  # a stream must contain this to be complete


def _json(obj: object) -> bytes:
    return json.dumps(obj).encode()


def choose_call(rng: random.Random) -> Call:
    """Draw one request of the room's mix."""
    draw = rng.random()
    prompt = rng.choice(PROMPTS)
    classic = {"inputs": prompt, "parameters": {"max_new_tokens": NEW_TOKENS}}
    if draw < 0.50:
        path = rng.choice((f"/hf-inference/models/{GPT2}", f"/models/{GPT2}"))
        return Call("classic", "POST", path, _json(classic))
    if draw < 0.70:
        path = f"/hf-inference/models/{GPT2}"
        return Call("tgi_stream", "POST", path, _json({**classic, "stream": True}), b'"details"')
    if draw < 0.90:
        stream = rng.random() < 0.5
        chat = {
            "model": CHAT_MODEL,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": NEW_TOKENS,
            "stream": stream,
        }
        return Call(
            "chat", "POST", "/v1/chat/completions", _json(chat), b"[DONE]" if stream else None
        )
    if rng.random() < 0.5:
        return Call("hub", "GET", "/api/whoami-v2", None)
    return Call("hub", "GET", f"/api/models/{GPT2}?expand[]=inferenceProviderMapping", None)


def _client(
    port: int, token: str, count: int, seed: int
) -> tuple[list[float], list[str], float, float]:
    """Send ``count`` requests one after the other; return latencies (ms), errors, start, end."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors: list[str] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.time()
    for _ in range(count):
        call = choose_call(rng)
        t0 = time.perf_counter()
        try:
            conn.request(call.method, call.path, body=call.body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            problem = None
            if response.status != 200:
                problem = f"{call.kind}: HTTP {response.status}"
            elif call.stream_end is not None and call.stream_end not in data:
                problem = f"{call.kind}: stream without its last event"
        except (OSError, http.client.HTTPException) as exc:
            problem = f"{call.kind}: {type(exc).__name__}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append((time.perf_counter() - t0) * 1000)
        if problem:
            errors.append(problem)
    conn.close()
    return latencies, errors, started, time.time()


def _generator(port: int, clients: int, per_client: int, seed: int) -> dict:
    """One load-generator process: ``clients`` closed-loop clients in threads."""
    from concurrent.futures import ThreadPoolExecutor

    token = local_token()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        outcomes = list(
            pool.map(
                lambda i: _client(port, token, per_client, seed * 1000 + i),
                range(clients),
            )
        )
    return {
        "latencies": [ms for lat, _, _, _ in outcomes for ms in lat],
        "errors": [e for _, errs, _, _ in outcomes for e in errs],
        "start": min(o[2] for o in outcomes),
        "end": max(o[3] for o in outcomes),
    }


def _noop() -> None:
    """Nothing: lets a pool's processes start before the measured part."""


def free_port() -> int:
    """Return a loopback port nobody listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """Return a process's peak resident memory in MB (Linux ``VmHWM``), or -1 where unknown."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return -1.0


@contextlib.contextmanager
def workshop_server(extra_args: tuple[str, ...] = (), cwd: str | Path | None = None):
    """Start ``python -m helpers.standin`` as the README does; yield (port, pid, log); stop it.

    ``log`` is the server's output so far (a file object: ``log.seek(0); log.read()``).

    ``cwd``: the checkout whose ``helpers`` to serve (a scratch copy, for an experiment).
    """
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "helpers.standin", "--host", "127.0.0.1", "--port", str(port)]
            + list(extra_args),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(
                        "the workshop stand-in did not start:\n" + log.read().decode()[-2000:]
                    )
                time.sleep(0.05)
            yield port, server.pid, log
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far, or -1 where unknown."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return -1.0


def percentile(values: list[float], q: float) -> float:
    """Return the ``q`` quantile (0-1) of ``values``, nearest-rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


def run_room(
    requests: int = 6000,
    clients: int = 40,
    processes: int = 2,
    seed: int = 15,
    warmup: int = 200,
    cwd: str | Path | None = None,
) -> dict[str, float]:
    """Drive a workshop stand-in with ``clients`` closed-loop clients; return the figures."""
    per_client = -(-requests // clients)
    context = multiprocessing.get_context("spawn")  # generators import nothing they don't use
    with workshop_server(cwd=cwd) as (port, pid, log):
        _client(port, local_token(), warmup, seed)  # first requests build the model, warm up
        with context.Pool(processes) as pool:
            shares = [clients // processes + (i < clients % processes) for i in range(processes)]
            pool.starmap(_noop, [()] * processes)  # the generators are up before we measure
            cpu_before = cpu_seconds(pid)
            parts = pool.starmap(
                _generator, [(port, share, per_client, seed + i) for i, share in enumerate(shares)]
            )
            cpu_used = cpu_seconds(pid) - cpu_before
        rss = peak_rss_mb(pid)
        log.seek(0)
        tracebacks = log.read().count(b"Traceback")
    latencies = [ms for p in parts for ms in p["latencies"]]
    errors = [e for p in parts for e in p["errors"]]
    seconds = max(p["end"] for p in parts) - min(p["start"] for p in parts)
    figures: dict[str, float] = {
        "room_requests": len(latencies),
        "room_clients": clients,
        "room_generator_processes": processes,
        "room_seconds": round(seconds, 2),
        "room_requests_per_second": round(len(latencies) / seconds, 1),
        "room_p50_ms": round(percentile(latencies, 0.50), 1),
        "room_p99_ms": round(percentile(latencies, 0.99), 1),
        "room_errors": len(errors),
        "room_server_tracebacks": tracebacks,  # exceptions the server logged, even behind a 200
        "room_peak_rss_mb": rss,
        # CPU the server spent per request: what a faster stand-in lowers, whatever else the
        # machine is doing (latency on a shared machine also measures the neighbours).
        "room_server_cpu_ms_per_request": round(1000 * cpu_used / len(latencies), 3),
        "room_server_cpu_share": round(cpu_used / seconds, 2),
    }
    if errors:
        kinds: dict[str, int] = {}
        for e in errors:
            kinds[e] = kinds.get(e, 0) + 1
        figures["room_error_kinds"] = json.dumps(kinds)  # type: ignore[assignment]
    return figures


def main(argv: list[str] | None = None) -> None:
    """Print the room's figures, one ``name: value`` line each (same as ``bench --room``)."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.tools.room",
        description="A room of learners against one workshop stand-in; the same as "
        "`python -m helpers.tools.bench --room`.",
    )
    parser.add_argument("--requests", type=int, default=6000, help="how many requests in all")
    parser.add_argument("--seed", type=int, default=15, help="seed of the room's mix")
    parser.add_argument(
        "--checkout",
        default=os.environ.get("ROOM_CHECKOUT"),
        help="serve the helpers of this checkout (a scratch copy; default: $ROOM_CHECKOUT)",
    )
    args = parser.parse_args(argv)
    figures = run_room(args.requests, seed=args.seed, cwd=args.checkout)
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":  # pragma: no cover
    main()
