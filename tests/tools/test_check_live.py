"""check_live: the drift check a maintainer runs against the real service.

Here it runs against stand-ins: the today profile must match itself (no drift), the teaching
profile must differ exactly where the lessons differ on purpose (gpt2 is served there).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import local_token
from helpers.contract import LEGACY_PREFIX
from helpers.standin import start
from helpers.tools import check_live


def hosts(url: str, report: Path | None = None) -> list[str]:
    """The command line aiming all three hosts at ``url`` (and the report at ``report``)."""
    args = ["--router", url, "--hub", url, "--legacy", url + LEGACY_PREFIX]
    return args + (["--report", str(report)] if report else [])


def run_check(url: str, tmp_path, token: str | None = "fake") -> subprocess.CompletedProcess:
    """Run the module as a maintainer would, against ``url`` for all three hosts."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_TUTORIAL_MODE": "live"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])  # this checkout's helpers
    if token:
        env["HF_TOKEN"] = local_token() if token == "fake" else token
    return subprocess.run(
        [sys.executable, "-m", "helpers.tools.check_live", *hosts(url, tmp_path / "report.json")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )


@pytest.fixture
def check(tmp_path, monkeypatch, capsys):
    """Run main() in this process (no Python start-up per run) as run_check() does."""

    def run(url: str, token: str = "fake") -> subprocess.CompletedProcess:
        monkeypatch.chdir(tmp_path)  # no .env of the repository's
        for name in [n for n in os.environ if n.startswith(("HF_", "HUGGINGFACE_"))]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
        monkeypatch.setenv("HF_TOKEN", local_token() if token == "fake" else token)
        code = check_live.main(hosts(url, tmp_path / "report.json"))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess([], code, out, err)

    return run


def test_probes_cost_at_most_a_tenth_of_a_cent():
    assert 0 < check_live.worst_case_spend() <= check_live.MAX_SPEND_USD


def test_chat_and_completion_probes_ask_for_at_most_5_tokens():
    for probe in check_live.PROBES:
        if probe.body and "max_tokens" in probe.body:
            assert probe.body["max_tokens"] <= 5, probe.name


def test_a_today_profile_stand_in_shows_no_drift(tmp_path, check):
    with start(profile="today") as api:
        done = check(api.url)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [ln for ln in done.stdout.splitlines() if ln.split(":")[0] in _names()]
    assert len(lines) == len(check_live.PROBES)
    assert all(": same - " in ln for ln in lines), done.stdout
    assert (tmp_path / "report.json").exists()


def test_a_teaching_profile_stand_in_drifts_on_the_gpt2_probes(check):
    with start() as api:
        done = check(api.url)
    assert done.returncode == 1, done.stdout + done.stderr
    drifted = {ln.split(":")[0] for ln in done.stdout.splitlines() if ": drift - " in ln}
    assert {"gpt2_mapping", "gpt2_router"} <= drifted, done.stdout


def test_without_a_token_it_says_so_and_exits_2(tmp_path):
    done = run_check("http://127.0.0.1:9", tmp_path, token=None)
    assert done.returncode == 2
    assert done.stdout.strip().count("\n") == 0
    assert "no token" in done.stdout


def test_without_a_network_it_exits_2_in_under_5_seconds(tmp_path, monkeypatch, capsys):
    """In process, so that the 5 s measure the tool and not a loaded machine's Python start-up
    (about 0.5 s idle, several seconds on 2 busy cores)."""
    with socket.socket() as s:  # a loopback port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    monkeypatch.chdir(tmp_path)  # no .env of the repository's
    monkeypatch.setenv("HF_TOKEN", local_token())
    started = time.monotonic()
    code = check_live.main(["--router", url, "--hub", url, "--legacy", url + LEGACY_PREFIX])
    assert time.monotonic() - started < 5
    out = capsys.readouterr().out
    assert code == 2, out
    assert "Could not reach" in out
    assert out.strip().count("\n") == 0  # one sentence, no spend line before it


def test_a_refused_token_exits_2_before_any_probe(check):
    """Catches a run that goes on probing (and comparing 401s) with a token the Hub refused."""
    with start() as api:
        done = check(api.url, token="hf_refused")
        answered = api.app.state.usage.answered()
    assert done.returncode == 2, done.stdout
    assert "HTTP 401" in done.stdout and "does not know this token" in done.stdout
    assert "hf_refused" not in done.stdout
    assert not [a for a in answered if a.startswith("POST")], answered  # no probe was paid


def test_the_token_is_never_printed_nor_written(tmp_path):
    token = local_token()
    with start() as api:
        done = run_check(api.url, tmp_path, token=token)
    assert token not in done.stdout + done.stderr
    assert token not in (tmp_path / "report.json").read_text()


@pytest.mark.parametrize(
    ("expected", "seen", "drifts"),
    [
        ({"a": "string"}, {"a": "string", "extra": "number"}, []),
        ({"a": "string"}, {}, ["body.a missing"]),
        ([{"a": "number"}], [{"a": "string"}], ["body[0].a is string, expected number"]),
        ({"a": "null"}, {"a": {"b": "string"}}, []),
        ({"a": "string", "fingerprint": "null"}, {"a": "string"}, []),
    ],
)
def test_shapes_drift_only_when_the_service_lacks_what_we_rely_on(expected, seen, drifts):
    assert check_live.shape_differences(expected, seen) == drifts


def _names() -> set[str]:
    return {p.name for p in check_live.PROBES}


@pytest.fixture
def in_process(tmp_path, monkeypatch):
    """Run main() in this process with a fake token and no .env; return (code, output)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_TOKEN", local_token())

    def run(router, hub, legacy, *extra):
        code = check_live.main(["--router", router, "--hub", hub, "--legacy", legacy, *extra])
        return code

    return run


@pytest.fixture(scope="module")
def today():
    with start(profile="today") as api:
        yield api


@pytest.mark.parametrize("dead", ["router", "legacy", "hub"])
def test_an_unreachable_host_is_could_not_run_not_drift(dead, in_process, today, capsys):
    # bug caught: six "drift - no answer (ConnectionError)" lines and exit 1
    urls = {"router": today.url, "hub": today.url, "legacy": today.url + LEGACY_PREFIX}
    urls[dead] = "http://127.0.0.1:9"
    code = in_process(urls["router"], urls["hub"], urls["legacy"])
    out = capsys.readouterr().out
    assert code == 2, out
    assert "drift" not in out
    if dead == "legacy":  # the doctor's checks do not call it: its probe gets no answer
        assert "legacy_host: skipped - no answer" in out
    else:
        assert out.strip().count("\n") == 0, out  # one sentence, no probe line
        assert "No connection to 127.0.0.1:9" in out and "Connection refused" in out


def test_a_captive_portal_is_could_not_run(in_process, portal, capsys):
    code = in_process(portal, portal, portal + LEGACY_PREFIX)
    out = capsys.readouterr().out
    assert code == 2, out
    assert out.strip().count("\n") == 0 and "captive portal" in out and portal in out
    assert "The Hub at" in out and "The router at" in out


def test_a_portal_in_front_of_the_router_only_is_caught(in_process, portal, today, capsys):
    code = in_process(portal, today.url, today.url + LEGACY_PREFIX)
    out = capsys.readouterr().out
    assert code == 2 and f"The router at {portal} answered, but not like the service" in out, out
    assert "The Hub at" not in out


def test_an_unwritable_report_path_stops_before_any_probe(in_process, today, tmp_path, capsys):
    # bug caught: a FileNotFoundError traceback after every probe had been sent (and paid)
    before = dict(today.app.state.usage.answered())
    report = tmp_path / "no" / "such" / "dir" / "r.json"
    code = in_process(today.url, today.url, today.url + LEGACY_PREFIX, "--report", str(report))
    out = capsys.readouterr().out
    assert code == 2, out
    assert out.strip().count("\n") == 0 and "cannot be written (No such file" in out
    assert dict(today.app.state.usage.answered()) == before  # nothing was sent


def test_a_probe_left_without_an_answer_mid_run_is_exit_2(in_process, today, monkeypatch, capsys):
    # the router goes away after the free probes: the others get no answer, which is not drift
    monkeypatch.setattr(check_live, "free_checks", lambda *args: None)
    code = in_process("http://127.0.0.1:9", today.url, today.url + LEGACY_PREFIX)
    out = capsys.readouterr().out
    assert code == 2, out
    assert "drift" not in out
    assert "gpt2_router: skipped - no answer" in out
    assert out.strip().splitlines()[-1].startswith("check_live could not run: no answer to ")
