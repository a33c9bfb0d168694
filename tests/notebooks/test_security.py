"""The token never leaks: not in the repository, a repr, an error, a log line or an output."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import (
    ConfigurationError,
    HFError,
    InferenceSession,
    Settings,
    connect,
    local_token,
)
from helpers.client import config
from helpers.standin import start

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TOKEN_SHAPE = re.compile(r"hf_[A-Za-z]{34}")
SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}
SKIP_DIRS |= {"node_modules", ".env"}  # ignored by git too (.env is a file: a path part as well)


def repository_files() -> list[Path]:
    """Return the files a commit would take with ``git add -A``: tracked, or untracked and not
    ignored (.env, which holds a developer's real token, and node_modules are ignored). Where
    git is missing or refuses the folder (an unpacked archive, a bind mount owned by another
    user), every file outside SKIP_DIRS."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        if listed.returncode == 0:
            return [ROOT / os.fsdecode(name) for name in listed.stdout.split(b"\0") if name]
    return [
        file
        for file in ROOT.rglob("*")
        if file.is_file() and not SKIP_DIRS.intersection(file.relative_to(ROOT).parts)
    ]


def test_no_token_shaped_string_anywhere_in_the_repository():
    offenders = []
    for file in repository_files():
        try:
            text = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if TOKEN_SHAPE.search(text):
            offenders.append(str(file.relative_to(ROOT)))
    assert offenders == []


def failing_calls(session: InferenceSession, url: str):
    yield lambda: session.text_generation(url + "/models/nobody/nothing", "x")  # 404
    yield lambda: session.text_generation(
        url + "/api-inference.huggingface.co/models/gpt2", "x"
    )  # 410
    yield lambda: session.json("POST", url + "/models/gpt2", data="{bad")  # 400
    yield lambda: session.text_generation("http://example.com/models/gpt2", "x")  # insecure
    yield lambda: session.text_generation("http://127.0.0.1:9/models/gpt2", "x")  # refused
    yield lambda: session.text_generation(url + "/models/gpt2", "x", top_p=2)  # refused locally


def test_token_is_in_no_repr_error_or_log_line(caplog):
    token = local_token()
    caplog.set_level(logging.DEBUG)
    with start(tokens_without_inference={token}) as api:
        session = InferenceSession(token, retries=0)
        seen = [repr(session)]
        for call in [
            *failing_calls(session, api.url),
            lambda: session.text_generation(api.url + "/models/gpt2", "x"),
        ]:
            with pytest.raises((HFError, ValueError)) as info:
                call()
            error = info.value
            seen += [str(error), repr(error), getattr(error, "explain", str)()]
            seen += [str(getattr(error, "body", "")), json.dumps(getattr(error, "headers", {}))]
    seen += [record.getMessage() for record in caplog.records]
    assert not any(token in text for text in seen)


def test_settings_and_connection_never_show_the_token(monkeypatch, capsys):
    token = local_token()
    monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
    monkeypatch.setenv("HF_TOKEN", token)
    hf = connect(check=False, export=False)  # the live banner, without asking the network
    shown = capsys.readouterr().out + repr(hf) + repr(hf.settings) + str(hf.settings)
    assert token not in shown
    assert config.redact(token) in shown


def test_a_refused_token_is_named_by_its_hint_only(monkeypatch, capsys):
    # A token the Hub refuses (401) sends connect() back to the stand-in with a sentence that
    # names the token; the bug this catches is that sentence quoting the whole token.
    refused = "hf_" + "Secret1" * 5  # malformed (digits): the stand-in answers 401
    with start() as hub:
        monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
        monkeypatch.setenv("HF_TOKEN", refused)
        monkeypatch.setenv("HF_HUB_URL", hub.url)
        monkeypatch.setenv("HF_ROUTER_URL", hub.url)
        hf = connect(export=False)
    shown = capsys.readouterr().out + repr(hf) + str(hf.settings)
    assert hf.mode == "local"
    assert refused not in shown
    assert config.redact(refused) in shown


def test_token_is_refused_for_plain_http_before_any_byte_is_sent(monkeypatch):
    session = InferenceSession(local_token(), retries=0)

    def must_not_send(*args, **kwargs):
        raise AssertionError("a request was sent")

    monkeypatch.setattr(session.session, "request", must_not_send)
    for url in (
        "http://router.huggingface.co/v1/models",
        "http://10.0.0.5/x",
        "http://[2001:db8::1]/x",
    ):
        with pytest.raises(ConfigurationError):
            session.request("GET", url)


def test_unauthenticated_calls_may_use_plain_http():
    # the Hub's model info needs no token: nothing to protect, nothing refused
    session = InferenceSession(None, retries=0)
    with start() as api:
        assert session.model_providers(api.url + "/api", "gpt2")


def test_dotenv_is_ignored_by_git():
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
    if shutil.which("git") and (ROOT / ".git").exists():
        done = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
        assert done.returncode == 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_token_in_any_notebook_output_with_a_fake_token_set(path, live_run):
    """Every notebook's outputs, from its live rehearsal (run with a fake token in HF_TOKEN,
    tests/notebooks/conftest.py), hold neither that token nor any token-shaped string.

    The live run is the one that reads the learner's token, so it is the one to search; no
    notebook is executed a second time for this check.
    """
    nb, token = live_run(path)
    outputs = json.dumps([cell.get("outputs", []) for cell in nb.cells])
    assert token not in outputs
    assert not TOKEN_SHAPE.search(outputs), "a token-shaped string was printed"


def test_settings_dataclass_field_is_hidden_from_the_default_repr():
    settings = Settings("live", local_token(), "https://a", "https://b")
    assert settings.token not in f"{settings!r} {settings!s}"
