"""``python -m helpers.doctor``: each broken set-up of issue 20, built from stand-in knobs and tiny servers.

Every run checks the exit code, the finding's words, that no traceback is printed and that the
token never appears (its last four characters at most).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import doctor, local_token
from helpers.standin import start

ROOT = Path(__file__).resolve().parents[1]
GOOD, WEAK = local_token(), local_token()
NAMES = ("HF_TOKEN", "HUGGINGFACE_API_TOKEN", "HF_TUTORIAL_MODE", "HF_HUB_URL", "HF_ROUTER_URL",
         "HF_ENDPOINT_URL", "HF_STANDIN_URL")  # fmt: skip


@pytest.fixture(scope="module")
def hosts():
    """The stand-ins: one with a token that lacks the permission, one whose credits are spent."""
    with (
        start(tokens_without_inference={WEAK}, stream_delay_ms=0) as api,
        start(credits_usd=0.0, stream_delay_ms=0) as spent,
        start(router_serves_gpt2=False, stream_delay_ms=0) as today,
    ):
        yield {"api": api.url, "spent": spent.url, "today": today.url}


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def run(monkeypatch, tmp_path, capsys):
    """Return run(token, url, *args) -> (exit code, output) with only these settings."""
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    monkeypatch.setattr(doctor, "RETIRED_HOST", "retired.invalid")

    def go(token, url, *args):
        for name in NAMES:
            monkeypatch.delenv(name, raising=False)
        if token:
            monkeypatch.setenv("HF_TOKEN", token)
        monkeypatch.setenv("HF_HUB_URL", url)
        monkeypatch.setenv("HF_ROUTER_URL", url)
        code = doctor.main(list(args))
        out = capsys.readouterr().out
        assert "Traceback" not in out
        assert not token or token not in out or len(token) < 8
        assert GOOD not in out and WEAK not in out
        return code, out

    return go


REFUSED = "hf_" + "a" * 33 + "9"
# (finding, token, host, args, exit code, words the report must say)
CASES = [
    ("good token", GOOD, "api", (), 0, "All good"),
    ("no token", None, "api", (), 1, "No token was found in HF_TOKEN"),
    ("wrong shape", "Bearer " + GOOD, "api", (), 1, "it starts with 'Bearer'"),
    ("quotes around it", f'"{GOOD}"', "api", (), 1, "quotes or spaces"),
    ("refused token", REFUSED, "api", (), 1, "Invalid credentials in Authorization header"),
    ("missing permission", WEAK, "api", (), 1, "Make calls to Inference Providers"),
    ("spent credits", GOOD, "spent", ("--call",), 1, "credits are spent"),
    ("a call that works", GOOD, "api", ("--call",), 0, "answered (5 tokens at most)"),
    ("who serves a model", GOOD, "api", ("--model", "deepseek-ai/DeepSeek-V4-Pro"), 0,
     "model 'deepseek-ai/DeepSeek-V4-Pro:"),
    ("unknown model", GOOD, "api", ("--model", "nobody/none"), 1, "The Hub has no model"),
    ("a model nobody serves", GOOD, "today", ("--model", "openai-community/gpt2"), 1, "No provider serves"),
    ("a model of a classic task", GOOD, "api", ("--model", "openai-community/gpt2"), 0,
     'POST {"inputs": ...} to /hf-inference/models/openai-community/gpt2'),
]  # fmt: skip


@pytest.mark.parametrize(("finding", "token", "host", "args", "code", "says"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_each_set_up_gets_its_finding(run, hosts, finding, token, host, args, code, says):
    found, out = run(token, hosts[host], *args)
    assert (found, says in out) == (code, True), out


def test_a_free_account_and_the_retired_hosts_dns_are_notes_that_keep_0(run, hosts):
    code, out = run(GOOD, hosts["api"])
    assert code == 0
    assert "NOTE     A Free account" in out
    assert "retired host retired.invalid no longer resolves" in out


def test_a_stand_in_answering_is_said_so_the_learner_does_not_trust_the_token(run, hosts):
    code, out = run(GOOD, hosts["api"])
    assert code == 0 and "A local stand-in answered at http://127.0.0.1:" in out, out


def test_the_retired_host_still_resolving_is_said(run, hosts, monkeypatch):
    monkeypatch.setattr(doctor, "RETIRED_HOST", "localhost")
    assert "localhost still resolves" in run(GOOD, hosts["api"])[1]


def test_a_captive_portal_is_named(run, portal):
    code, out = run(GOOD, portal)
    assert code == 1
    assert "captive portal" in out and "text/html" in out


@pytest.fixture
def proxy(html_host):
    """A proxy that wants its own sign-in: 407 text/html on every path."""
    return html_host(407, "Proxy Authentication Required")


def test_a_proxy_in_the_way_is_named(run, proxy):
    code, out = run(GOOD, proxy)
    assert code == 1
    assert "HTTP 407" in out and "HTTPS_PROXY" in out


@pytest.fixture
def silent():
    """A port whose connections complete but are never answered (nothing reads them)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_hosts_that_never_answer_are_exit_2_by_the_read_timeout(run, silent, monkeypatch):
    monkeypatch.setattr(doctor, "TIMEOUT", (0.3, 0.3))
    code, out = run(GOOD, silent)
    assert code == 2 and "Could not reach" in out
    assert "accepted the connection but sent no answer in time" in out


def test_the_doctor_stops_waiting_at_its_own_deadline(run, silent, monkeypatch):
    monkeypatch.setattr(doctor, "TIMEOUT", (30, 30))
    monkeypatch.setattr(doctor._in_time, "__defaults__", (0.5,))
    started = time.monotonic()
    code, out = run(GOOD, silent)
    assert (code, time.monotonic() - started < 5) == (2, True), out


@pytest.mark.parametrize(
    "url, why",
    [
        (closed_port(), "was refused or cut"),
        ("https://hub.invalid", "hub.invalid does not resolve"),
    ],
    ids=["closed", "dns"],
)
def test_nothing_answering_is_exit_2_in_one_sentence_that_names_why(run, url, why):
    """Catches 'could not reach' lumping a name that does not resolve (no network, DNS) with a
    refused connection: the two need different fixes."""
    started = time.monotonic()
    code, out = run(GOOD, url)
    assert time.monotonic() - started < 20
    assert code == 2
    last = out.strip().splitlines()[-1]
    assert last.startswith("Could not reach") and why in last, last


def test_a_bad_url_setting_is_a_problem_not_a_crash(run):
    code, out = run(GOOD, "ftp://example")
    assert code == 1 and ("HF_ROUTER_URL" in out or "HF_HUB_URL" in out)


def test_scan_names_each_old_line_and_what_to_write(run, tmp_path):
    cells = [
        {"cell_type": "markdown", "source": ["api-inference.huggingface.co in prose is fine"]},
        {"cell_type": "code", "source": [
            'API = "https://api-inference.huggingface.co/models/gpt2"\n',
            f'headers = {{"Authorization": "Bearer {GOOD}"}}\n',
            'body = {"inputs": "Hi", "parameters": {"stop_sequences": ["."]}}\n',
            "from huggingface_hub import InferenceApi\n",
            "!huggingface-cli login\n",
        ]},
    ]  # fmt: skip
    notebook = tmp_path / "old.ipynb"
    notebook.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    code, out = run(None, closed_port(), "--scan", str(notebook))
    assert code == 1
    assert "old.ipynb cell 2 line 1: API =" in out and "It calls the retired host" in out
    assert "https://router.huggingface.co" in out
    for line, says in (
        (2, "holds a token"),
        (3, '"stop"'),
        (4, "InferenceClient"),
        (5, "hf auth login"),
    ):
        assert f"line {line}: " in out and says in out
    assert "prose" not in out


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('body = {"inputs": "Hi", "options": {"wait_for_model": True}}', "drop it"),
        ('headers = {"x-wait-for-model": "true"}', "drop it"),
        ('params = {"max_time": 30, "num_return_sequences": 2}', '"max_new_tokens": N'),
        ("hf_hub_download(repo, use_auth_token=True)", "token=os.environ['HF_TOKEN']"),
        ('headers = {"Authorization": "Bearer: " + token}', 'f"Bearer {token}"'),
    ],
)
def test_scan_gives_the_line_to_write_for_each_old_name(run, tmp_path, line, says):
    old = tmp_path / "old.py"
    old.write_text(line + "\n")
    code, out = run(None, closed_port(), "--scan", str(old))
    assert (code, "old.py line 1: " in out, says in out) == (1, True, True), out


def test_an_old_api_token_is_named_as_such(run, hosts):
    code, out = run("api_" + "A" * 30, hosts["api"])
    assert code == 1 and "old api_ token" in out, out


def test_scan_of_a_clean_file_is_0_and_of_a_missing_one_2(run, tmp_path):
    clean = tmp_path / "new.py"
    clean.write_text('URL = "https://router.huggingface.co/v1/chat/completions"\n')
    assert run(None, closed_port(), "--scan", str(clean))[0] == 0
    old = tmp_path / "old.py"
    old.write_text('requests.post("https://api-inference.huggingface.co/models/gpt2")\n')
    code, out = run(None, closed_port(), "--scan", str(old))
    assert (
        code == 1
        and "old.py line 1: requests.post(" in out
        and "It calls the retired host" in out
        and "router.huggingface.co" in out
    )
    # a long line is cut, and what is wrong with it starts a line of its own
    old.write_text('r = requests.post("https://api-inference.huggingface.co/models/gpt2", ' * 3)
    code, out = run(None, closed_port(), "--scan", str(old))
    quoted, said = out.splitlines()[:2]
    assert quoted.endswith("…") and len(quoted) < 130, quoted
    assert said.lstrip().startswith("It calls the retired host"), said
    code, out = run(None, closed_port(), "--scan", str(tmp_path / "none.py"))
    assert code == 2 and "Could not read" in out


def test_hf_doctor_checks_the_learners_settings_not_connects_exports(hosts, monkeypatch, tmp_path):
    from helpers import connect

    monkeypatch.chdir(tmp_path)
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    for name in ("HF_HUB_URL", "HF_ROUTER_URL", "HF_STANDIN_URL"):
        monkeypatch.setenv(name, hosts["api"])
    hf = connect(quiet=True)  # local: the room's stand-in, with a throw-away token exported
    assert hf.is_local
    report = hf.doctor()
    assert report.code == 1 and "No token was found" in str(report)
    monkeypatch.setenv("HF_TOKEN", GOOD)
    live = connect("auto", quiet=True)  # an explicit mode reads the learner's settings again
    assert not live.is_local and live.doctor().code == 0


def test_the_command_line_runs_as_a_module():
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_URL": closed_port(), "HF_ROUTER_URL": closed_port(),
           "HF_TOKEN": GOOD, "PYTHONPATH": str(ROOT)}  # fmt: skip
    helped = subprocess.run([sys.executable, "-m", "helpers.doctor", "--help"], cwd="/",
                            env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert helped.returncode == 0 and "--scan PATH" in helped.stdout
    done = subprocess.run([sys.executable, "-m", "helpers.doctor"], cwd="/", env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (done.returncode, done.stderr) == (2, "")
    assert GOOD not in done.stdout and GOOD[-4:] in done.stdout


def test_the_token_is_read_from_env_then_dotenv_and_local_mode_is_a_note(
    run, hosts, tmp_path, monkeypatch
):
    (tmp_path / ".env").write_text(f"HUGGINGFACE_API_TOKEN={GOOD}\nHF_TUTORIAL_MODE=local\n")
    code, out = run(None, hosts["api"])
    assert code == 0, out
    assert "A token was found in .env (HUGGINGFACE_API_TOKEN)" in out
    assert "NOTE     The notebooks use the local stand-in (HF_TUTORIAL_MODE=local in .env)" in out


def test_a_token_is_never_sent_over_plain_http_to_another_machine(run):
    code, out = run(GOOD, "http://hub.invalid")
    assert code == 1
    assert "Refusing to send a token to http://hub.invalid" in out


def test_each_finding_points_to_a_section_that_exists():
    """Catches a pointer ('[05_errors.ipynb § 5]') left behind when a notebook is renamed or its
    sections renumbered: the learner would be sent to a section that is not there."""
    pointers = {v for k, v in vars(doctor).items() if k.endswith("_NB")}
    assert len(pointers) >= 5
    for pointer in pointers:
        name, section = pointer.split(" § ")
        cells = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
        headings = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert f"\n## {section}. " in "\n" + headings, pointer
