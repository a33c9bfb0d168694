"""``python -m helpers.standin``: the workshop command serves until stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

from helpers.standin import __main__ as cli
from helpers.standin.__main__ import main, options_from, parse_args


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
                # a short connect timeout polls for the port; the first answer of a fresh
                # process may take seconds on a busy machine, so the read waits (it failed at 1 s)
                response = requests.get(f"http://127.0.0.1:{port}/api/models/gpt2", timeout=(1, 30))
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


def test_a_port_outside_0_to_65535_is_refused_by_argparse(capsys):
    """Catches the OverflowError traceback ``--port 99999`` ended in."""
    for bad in ("99999", "-1", "http"):
        try:
            parse_args(["--port", bad])
        except SystemExit as exit_:
            assert exit_.code == 2
        else:
            raise AssertionError(f"--port {bad} was accepted")
        said = capsys.readouterr().err
        assert "--port" in said and "Traceback" not in said
    assert "choose one in 0..65535" in said.replace("\n", " ") or "not a port" in said


def test_a_port_in_use_is_one_sentence_before_any_url(capsys):
    """Catches the URL announced before the bind failed with Errno 98, then a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        try:
            main(["--port", str(port)])
        except SystemExit as exit_:
            assert exit_.code == 1
        else:
            raise AssertionError("main() served on a port in use")
    said = capsys.readouterr()
    assert said.err == f"port {port} is in use: choose another with --port\n"
    assert "http://" not in said.out


@pytest.mark.parametrize("argv", [[], ["--profile", "today"]])
def test_the_announced_url_is_the_real_one(monkeypatch, capsys, argv):
    """Catches ``HF_STANDIN_URL=http://HOST:PORT`` printed literally."""
    served = []
    monkeypatch.setattr(cli, "serve_forever", lambda options, sock: served.append(sock))
    main([*argv, "--port", "0"])
    sock = served[0]
    port = sock.getsockname()[1]
    sock.close()
    out = capsys.readouterr().out
    assert "HOST:PORT" not in out
    url = f"http://127.0.0.1:{port}"
    variable = "HF_ROUTER_URL" if "today" in argv else "HF_STANDIN_URL"
    assert f"{variable}={url}" in out and f"on {url} " in out
