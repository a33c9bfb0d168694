"""``python -m helpers.doctor``: why a learner's calls fail, and what to do (``hf.doctor()`` too).

It reads the settings as ``connect()`` does and makes at most four free requests (whoami-v2,
``/v1/models``, with ``--model`` a provider mapping, a DNS look-up of the retired host);
``--call`` adds one chat call of 5 tokens. Each finding is a cause, a fix and the notebook that
teaches it. Exit 0: all good (notes need no action); 1: problems found; 2: it could not run.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .. import contract
from ..client import config
from ..client.errors import APIError, ConnectionFailedError, HFError, RequestTimeoutError
from ..client.session import InferenceSession
from ..explainer import explain
from ..lessons.live_check import may_call_inference
from ..lessons.providers import offers

UNREACHED = (ConnectionFailedError, RequestTimeoutError)
RETIRED_HOST = urlsplit(contract.LEGACY_INFERENCE_URL).hostname
TIMEOUT = (3.05, 5.0)  # (connect, read) s; the checks run side by side and end within 20 s
CALL_LIMIT_USD = 0.0001
TOKEN_NB = "00_token_setup.ipynb"
ERRORS_NB = "05_errors.ipynb"
ROUTER_NB = "09_router_and_providers.ipynb"
PRICING_NB = "08_pricing_free_vs_endpoints.ipynb"
CLASSIC_NB = "02_classic_gpt2_request.ipynb"


@dataclass
class Report:
    """The findings, each (level ok/note/problem, cause, fix, notebook), and the exit code."""

    findings: list[tuple[str, str, str, str]] = field(default_factory=list)
    could_not_run: str = ""
    secret: str | None = field(default=None, repr=False)

    def add(self, level: str, cause: str, fix: str = "", teaches: str = "") -> None:
        self.findings.append((level, cause, fix, f" [{teaches}]" if teaches else ""))

    @property
    def code(self) -> int:
        """Return the exit code: 0 all good, 1 problems found, 2 it could not run."""
        return 2 if self.could_not_run else int(any(f[0] == "problem" for f in self.findings))

    def __str__(self) -> str:
        lines = [
            f"{lv.upper():8} {cause} {fix}".rstrip() + nb for lv, cause, fix, nb in self.findings
        ]
        problems = sum(f[0] == "problem" for f in self.findings)
        lines.append(
            self.could_not_run or (f"{problems} problem(s) found." if problems else "All good.")
        )
        text, secret = "\n".join(lines), self.secret or ""
        return text.replace(secret, config.redact(secret)) if len(secret) >= 8 else text

    __repr__ = __str__


def _in_time(check: Callable[[], Any], seconds: float = 12.0) -> Callable[[], Any]:
    """Start ``check`` in a daemon thread; return a function that waits for it until the deadline."""
    box: list[Any] = [RequestTimeoutError("no answer in time", phase="connect")]
    deadline = time.monotonic() + seconds

    def run() -> None:
        try:
            box[0] = check()
        except Exception as error:  # every failure becomes a finding, never a traceback
            box[0] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return lambda: (thread.join(max(0.0, deadline - time.monotonic())), box[0])[1]


def _get(session: InferenceSession, url: str, auth: bool = False, **kwargs: Any) -> Any:
    """Return the JSON at ``url``, or the exception; a 200 that is not JSON is a ValueError."""
    response = session.request("GET", url, auth=auth, **kwargs)
    try:
        return response.json()
    except ValueError:
        raise ValueError(
            f"{response.headers.get('content-type')}: {' '.join(response.text[:80].split())}"
        ) from None


def _answer(report: Report, what: str, setting: str, result: Any, looks_right: bool) -> bool:
    """Add a finding when ``result`` is not the service's answer; return True when it is."""
    if type(result) is ValueError or (not isinstance(result, Exception) and not looks_right):
        report.add(
            "problem",
            f"{what} answered, but not like the service ({result}): a captive "
            "portal or a proxy in the way, or a wrong URL.",
            f"Sign in to the network in a browser, or check {setting}.",
            ERRORS_NB,
        )
        return False
    if isinstance(result, Exception):
        where = f"(The URL comes from {setting}.)" if isinstance(result, UNREACHED) else ""
        report.add("problem", explain(result), where, ERRORS_NB)
        return False
    return True


def _token(report: Report, setting: config.Setting) -> str | None:
    if not setting.found:
        report.add(
            "problem",
            "No token was found in HF_TOKEN or HUGGINGFACE_API_TOKEN (the "
            "environment, then .env): every live call is refused.",
            "Put HF_TOKEN=hf_... "
            "in .env (copy .env.example); without one the notebooks use the local "
            "stand-in.",
            TOKEN_NB,
        )
        return None
    token = setting.value or ""
    report.add("ok", f"A token was found {setting.where} ({setting.name}): {config.redact(token)}.")
    if not contract.TOKEN_PATTERN.fullmatch(token):
        why = (
            "it starts with 'Bearer'"
            if token.lower().startswith("bearer")
            else "it has quotes or spaces in it"
            if re.search(r"[\s'\"]", token)
            else "it is an old api_ token"
            if token.startswith("api_")
            else "a character is missing, extra or not a letter"
            if token.startswith("hf_")
            else "huggingface_hub sends a key not starting with hf_ to a provider directly"
        )
        report.add(
            "problem",
            f"The token {config.redact(token)} is not shaped like one (hf_ and 34 letters): {why}.",
            f"Copy it again from https://huggingface.co/"
            f"settings/tokens into {setting.name}, with nothing around it.",
            TOKEN_NB,
        )
    return token


def _whoami(report: Report, found: Any, hint: str) -> None:
    if isinstance(found, APIError) and found.status in (401, 403):
        report.add("problem", f"The Hub refused the token {hint}: {explain(found)}", "", TOKEN_NB)
    elif _answer(
        report,
        "The Hub",
        contract.HUB_URL_ENV_VAR,
        found,
        isinstance(found, dict) and "name" in found,
    ):
        access = (found.get("auth") or {}).get("accessToken") or {}
        report.add(
            "ok",
            f"The Hub accepts the token {hint} (user {found.get('name')}, role "
            f"{access.get('role')}).",
        )
        if not may_call_inference(found):
            report.add(
                "problem",
                "This fine-grained token lacks the 'Make calls to Inference "
                "Providers' permission: every inference call answers 403.",
                "Add it at https://huggingface.co/settings/tokens (edit the token's permissions).",
                TOKEN_NB,
            )
        if not found.get("isPro") and not found.get("canPay"):
            report.add(
                "note",
                "A Free account: its monthly credits are small or none, so a live "
                "call may answer 402.",
                "Buy credits or subscribe to PRO to go past them.",
                PRICING_NB,
            )


def _mapping(report: Report, model: str, found: Any) -> None:
    if isinstance(found, APIError) and found.status in (401, 404):
        report.add(
            "problem",
            f"The Hub has no model {model!r} (HTTP {found.status}).",
            "Check the id (with its organisation: gpt2 is openai-community/gpt2).",
            ROUTER_NB,
        )
        return
    if not _answer(report, "The Hub", contract.HUB_URL_ENV_VAR, found, isinstance(found, dict)):
        return
    mapping = found.get("inferenceProviderMapping") or {}
    items = (
        mapping.items() if isinstance(mapping, dict) else ((m.get("provider"), m) for m in mapping)
    )
    live = {p: m.get("task") for p, m in items if isinstance(m, dict) and m.get("status") == "live"}
    if not live:
        report.add(
            "problem",
            f"No provider serves {model} today (the Hub's mapping lists none live).",
            "Pick a served model (choose_provider() lists chat models), or run it on your "
            "own Inference Endpoint (HF_ENDPOINT_URL).",
            ROUTER_NB,
        )
        return
    served = ", ".join(f"{p} ({t})" for p, t in sorted(live.items()))
    chat = [p for p, t in live.items() if t == "conversational"]
    route = (
        f"chat: POST /v1/chat/completions with model '{model}:{chat[0]}'"
        if chat
        else f'POST {{"inputs": ...}} to /{next(iter(live))}/models/{model}'
    )
    report.add("ok", f"{model} is served by {served}; {route}.")


def _call(
    report: Report, session: InferenceSession, router: str, models: Any, model: str | None
) -> None:
    rows = [
        r
        for r in offers(models)
        if model in (None, r["model"]) and None not in (r["input_price"], r["output_price"])
    ]
    cost = {id(r): (20 * r["input_price"] + 5 * r["output_price"]) / 1e6 for r in rows}
    rows = sorted((r for r in rows if cost[id(r)] <= CALL_LIMIT_USD), key=lambda r: cost[id(r)])
    if not rows:
        report.add(
            "note",
            f"--call was skipped: no listed provider of {model or 'any model'} "
            f"has a price that keeps one call under ${CALL_LIMIT_USD}.",
        )
        return
    row = rows[0]
    target = f"{row['model']}:{row['provider']}"
    print(f"--call: one chat call to {target}, at most 5 tokens, about ${cost[id(row)]:.6f}.")
    body = {"model": target, "max_tokens": 5, "messages": [{"role": "user", "content": "Say OK."}]}
    try:
        session.request("POST", f"{router}/v1/chat/completions", json=body)
    except HFError as error:
        where = PRICING_NB if getattr(error, "status", None) == 402 else ROUTER_NB
        report.add("problem", f"The call to {target} failed: {explain(error)}", "", where)
        return
    report.add("ok", f"A chat call to {target} answered (5 tokens at most).")


def _router_and_retired_host(report: Report, router: str, models: Any, retired: Any) -> None:
    """Add the router's finding and the retired host's DNS note."""
    if _answer(
        report,
        "The router",
        contract.ROUTER_URL_ENV_VAR,
        models,
        isinstance(models, dict) and isinstance(models.get("data"), list),
    ):
        report.add("ok", f"The router at {router} lists {len(models['data'])} chat models.")
    state = "still resolves" if retired is True else "no longer resolves"
    report.add(
        "note",
        f"The retired host {RETIRED_HOST} {state} in DNS; code that calls it fails either way.",
        "`--scan FILE` finds such lines.",
        CLASSIC_NB,
    )


def diagnose(
    model: str | None = None, call: bool = False, environ: Mapping[str, str] | None = None
) -> Report:
    """Return the Report on the live set-up the environment and ``.env`` describe."""
    environ = dict(os.environ if environ is None else environ)
    report = Report()
    try:
        settings = config.Settings.live(None, environ=environ)
        mode, reason = config.mode_and_reason(environ)
    except HFError as error:
        report.add("problem", error.message, error.hint, TOKEN_NB)
        return report
    if mode == "local" and config.token_setting(environ).found:
        report.add(
            "note",
            f"The notebooks use the local stand-in ({reason}); these checks are about going live.",
        )
    token = report.secret = _token(report, config.token_setting(environ))
    hub, router = settings.hub_api_url, settings.router_url
    with InferenceSession(token, timeout=TIMEOUT, retries=0) as session:
        asks = {
            "models": lambda: _get(session, f"{router}/v1/models"),
            "retired": lambda: bool(socket.getaddrinfo(RETIRED_HOST, 443)),
        }
        if token:
            asks["whoami"] = lambda: _get(session, f"{hub}/whoami-v2", auth=True)
        if model:
            asks["mapping"] = lambda: _get(
                session, f"{hub}/models/{model}", params={"expand[]": "inferenceProviderMapping"}
            )
        waits = {name: _in_time(ask) for name, ask in asks.items()}
        got = {name: wait() for name, wait in waits.items()}
        hub_unreached = all(
            isinstance(got[n], UNREACHED) for n in ("whoami", "mapping") if n in got
        )
        if isinstance(got["models"], UNREACHED) and hub_unreached:
            report.could_not_run = (
                f"Could not reach {settings.hub_url} nor {router} (no network, "
                "a proxy or a firewall?): check the connection and HF_HUB_URL "
                "/ HF_ROUTER_URL, then run the doctor again."
            )
            return report
        if "whoami" in got:
            _whoami(report, got["whoami"], config.redact(token))
        models = got["models"]
        _router_and_retired_host(report, router, models, got["retired"])
        if model:
            _mapping(report, model, got["mapping"])
        if call and token and isinstance(models, dict):
            _call(report, session, router, models, model)
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the doctor from the command line; return the exit code."""
    parser = argparse.ArgumentParser(
        "python -m helpers.doctor",
        description="Say why calls to Hugging Face fail, and what to do.",
    )
    parser.add_argument(
        "--model", metavar="ID", help="also ask the Hub who serves ID, for which task"
    )
    parser.add_argument(
        "--call", action="store_true", help="also make one chat call of 5 tokens (under $0.0001)"
    )
    parser.add_argument(
        "--scan",
        metavar="PATH",
        help="only read a .py or .ipynb for the retired host and removed names",
    )
    args = parser.parse_args(argv)
    try:
        if args.scan:
            from .scan import scan  # reads a file: no settings, no request

            report = scan(args.scan)
        else:
            report = diagnose(args.model, args.call)
    except Exception as error:  # a bug of ours: still one sentence, never a traceback
        report = Report(could_not_run=f"The doctor failed: {type(error).__name__}: {error}.")
    print(report)
    return report.code
