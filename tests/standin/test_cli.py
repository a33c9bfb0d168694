"""``python -m helpers.standin``: the workshop command serves until stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import requests

from helpers.standin.__main__ import options_from, parse_args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_arguments_have_safe_defaults():
    args = parse_args([])
    assert (args.host, args.port, args.profile) == ("127.0.0.1", 8000, "teaching")
    assert options_from(args).router_serves_gpt2 is True  # lessons run offline


def test_the_today_profile_flag_gives_the_profile_defaults_and_flags_still_win():
    """Catches a --profile flag that is parsed but does not reach the knobs it decides."""
    today = options_from(parse_args(["--profile", "today"]))
    assert (today.router_serves_gpt2, today.credits_usd) == (False, 0.10)
    kept = options_from(parse_args(["--profile", "today", "--router-serves-gpt2"]))
    assert kept.router_serves_gpt2 is True


def test_module_serves_in_the_foreground_until_terminated():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "helpers.standin", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/api/models/gpt2", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "the stand-in did not start in 30 s"
                time.sleep(0.2)
        assert response.json()["id"] == "openai-community/gpt2"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "Local stand-in" in proc.stdout.read()
