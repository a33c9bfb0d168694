"""``python -m helpers.doctor``: why a learner's calls fail, and what to do (``hf.doctor()`` too).

It reads the settings as ``connect()`` does and makes at most four free requests (whoami-v2,
``/v1/models``, with ``--model`` a provider mapping, a DNS look-up of the retired host);
``--call`` adds one chat call of 5 tokens. Each finding is a cause, a fix and the notebook that
teaches it. Exit 0: all good (notes need no action); 1: problems found; 2: it could not run.
"""

from __future__ import annotations

import argparse
import contextlib
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
from ..client.errors import APIError, HFError, RequestTimeoutError
from ..client.session import InferenceSession
from ..explainer import explain
from ..lessons.live_check import UNREACHABLE, may_call_inference
from ..lessons.providers import offers

RETIRED_HOST = urlsplit(contract.LEGACY_INFERENCE_URL).hostname
TIMEOUT = (3.05, 5.0)  # (connect, read) s; the checks run side by side and end within 20 s
CALL_LIMIT_USD = 0.0001
# where each finding is taught: a notebook and its section (tests check the section exists)
TOKEN_NB = "00_token_setup.ipynb § 3"  # store the token in .env
TOKEN_BAD_NB = "00_token_setup.ipynb § 5"  # a bad token, a missing permission
ERRORS_NB = "05_errors.ipynb § 5"  # the cause and the fix in words
ROUTER_NB = "09_router_and_providers.ipynb § 4"  # what is served: /v1/models
PRICING_NB = "08_pricing_free_vs_endpoints.ipynb § 1"  # what "free" means today
CLASSIC_NB = "02_classic_gpt2_request.ipynb § 2"  # the retired host's 410
BAD_SHAPES = (  # (pattern, why a token is not shaped like one): the first that matches
    (r"(?i)^bearer", "it starts with 'Bearer'"),
    (r"[\s'\"]", "it has quotes or spaces in it"),
    (r"^api_", "it is an old api_ token"),
    (r"^hf_", "a character is missing, extra or not a letter"),
    (r"", "huggingface_hub sends a key not starting with hf_ to a provider directly"),
)

UNREACHED = {  # why no answer came, by the failure's kind (client.errors CAUSES)
    "dns": "{host} does not resolve (no network, no DNS server answering, or a typo in the URL)",
    "connection": "the connection to {host} was refused or cut (nothing listens there, a proxy or a firewall)",
    "timeout-connect": "{host} accepted no connection in time (a slow network, a proxy or a firewall)",
    "timeout-read": "{host} accepted the connection but sent no answer in time",
}
FINDINGS = {  # the doctor's own findings (an HTTP error is said by explain()): cause and fix
    "local": "The notebooks use the local stand-in ({reason}); these checks are about going live.",
    "no token": "No token was found in HF_TOKEN or HUGGINGFACE_API_TOKEN (the environment, then .env): every live call is refused. Put HF_TOKEN=hf_... in .env (copy .env.example); without one the notebooks use the local stand-in.",
    "shape": "The token {token} is not shaped like one (hf_ and 34 letters): {why}. Copy it again from https://huggingface.co/settings/tokens into {name}, with nothing around it.",
    "stand-in": "A local stand-in answered at {url}, not huggingface.co: it accepts any token of the right shape, so these checks say nothing of your real token. Unset HF_HUB_URL / HF_ROUTER_URL to check the real service.",
    "unreached": "Could not reach {hosts}: {why}. Check the connection and HF_HUB_URL / HF_ROUTER_URL, then run the doctor again.",
    "portal": "{what} at {url} answered, but not like the service ({found}): a captive portal or a proxy in the way, or a wrong URL. Sign in to the network in a browser, or check {setting}.",
    "permission": "This fine-grained token lacks the 'Make calls to Inference Providers' permission: every inference call answers 403. Add it at https://huggingface.co/settings/tokens (edit the token's permissions).",
    "free": "A Free account: its monthly credits are small or none, so a live call may answer 402. Buy credits or subscribe to PRO to go past them.",
    "retired": "The retired host {host} {state} in DNS; code that calls it fails either way. `--scan FILE` finds such lines.",
    "no model": "The Hub has no model {model!r} (HTTP {status}). Check the id (with its organisation: gpt2 is openai-community/gpt2).",
    "not served": "No provider serves {model} today (the Hub's mapping lists none live). Pick a served model (choose_provider() lists chat models), or run it on your own Inference Endpoint (HF_ENDPOINT_URL).",
    "no call": "--call was skipped: no listed provider of {model} keeps one call under ${limit}.",
}


@dataclass
class Report:
    """The findings, each (level ok/note/problem, cause and fix, notebook), and the exit code."""

    findings: list[tuple[str, str, str]] = field(default_factory=list)
    could_not_run: str = ""
    secret: str | None = field(default=None, repr=False)

    def add(self, level: str, said: str, teaches: str = "") -> None:
        self.findings.append((level, said, f" [{teaches}]" if teaches else ""))

    def found(self, level: str, finding: str, teaches: str = "", **specifics: Any) -> None:
        """Add one of FINDINGS, formatted with ``specifics``."""
        self.add(level, FINDINGS[finding].format(**specifics), teaches)

    @property
    def code(self) -> int:
        """Return the exit code: 0 all good, 1 problems found, 2 it could not run."""
        return 2 if self.could_not_run else int(any(f[0] == "problem" for f in self.findings))

    def __str__(self) -> str:
        lines = [f"{level.upper():8} {said}{nb}" for level, said, nb in self.findings]
        problems = sum(f[0] == "problem" for f in self.findings)
        last = self.could_not_run or (f"{problems} problem(s) found." if problems else "All good.")
        text, secret = "\n".join([*lines, last]), self.secret or ""
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


def _get(
    session: InferenceSession, url: str, looks_right: Callable[[dict], Any], stand_ins: set[str]
) -> Any:
    """Return the JSON at ``url``; a success that is not the service's JSON is a ValueError.
    A stand-in's answer (its ``X-Stand-In`` header) adds the URL to ``stand_ins``."""
    response = session.request("GET", url, auth="whoami" in url)
    if contract.STAND_IN_HEADER in response.headers:
        stand_ins.add("{0.scheme}://{0.netloc}".format(urlsplit(url)))
    with contextlib.suppress(ValueError):
        if isinstance(body := response.json(), dict) and looks_right(body):
            return body
    said = " ".join(response.text[:80].split())
    raise ValueError(f"{response.headers.get('content-type')}: {said}")


def check_service(
    report: Report, session: InferenceSession, hub: str, router: str, **more: Callable[[], Any]
) -> dict[str, Any]:
    """Ask the Hub who the token is, the router what it serves, and ``more``, side by side; add
    the findings; return each answer (JSON or exception) by name, or could-not-run when none came."""
    is_list = lambda body: isinstance(body.get("data"), list)  # noqa: E731
    stand_ins: set[str] = set()
    asks = {"models": lambda: _get(session, f"{router}/v1/models", is_list, stand_ins)}
    if report.secret:
        whoami = f"{hub}/api/whoami-v2"
        asks["whoami"] = lambda: _get(session, whoami, lambda b: "name" in b, stand_ins)
    waits = {name: _in_time(ask) for name, ask in {**asks, **more}.items()}
    got = {name: wait() for name, wait in waits.items()}
    for url in sorted(stand_ins):
        report.found("note", "stand-in", "", url=url)
    if all(isinstance(got[n], UNREACHABLE) for n in ("models", "whoami", "mapping") if n in got):
        hosts = hub if hub == router else f"{hub} nor {router}"
        first = next(got[n] for n in ("models", "whoami", "mapping") if n in got)
        host = urlsplit(getattr(first, "url", None) or router).hostname
        why = UNREACHED.get(getattr(first, "kind", ""), UNREACHED["connection"]).format(host=host)
        report.could_not_run = FINDINGS["unreached"].format(hosts=hosts, why=why)
        return got
    for name, what, url, setting in (
        ("whoami", "The Hub", hub, contract.HUB_URL_ENV_VAR),
        ("models", "The router", router, contract.ROUTER_URL_ENV_VAR),
    ):
        found = got.get(name)
        if type(found) is ValueError:
            report.found(
                "problem", "portal", ERRORS_NB, what=what, url=url, found=found, setting=setting
            )
        elif isinstance(found, Exception):
            refused = isinstance(found, APIError) and found.status in (401, 403)
            teaches = TOKEN_BAD_NB if refused else ERRORS_NB
            report.add("problem", f"{what}: {explain(found)}", teaches)
        elif name == "models":
            report.add("ok", f"The router at {router} lists {len(found['data'])} chat models.")
        elif found:
            _whoami(report, found)
    return got


def _token(report: Report, setting: config.Setting) -> str | None:
    if not setting.found:
        report.found("problem", "no token", TOKEN_NB)
        return None
    token = setting.value or ""
    report.add("ok", f"A token was found {setting.where} ({setting.name}): {config.redact(token)}.")
    if not contract.TOKEN_PATTERN.fullmatch(token):
        why = next(why for pattern, why in BAD_SHAPES if re.search(pattern, token))
        report.found(
            "problem", "shape", TOKEN_BAD_NB, token=config.redact(token), why=why, name=setting.name
        )
    return token


def _whoami(report: Report, found: dict[str, Any]) -> None:
    role = ((found.get("auth") or {}).get("accessToken") or {}).get("role")
    report.add("ok", f"The Hub accepts the token (user {found.get('name')}, role {role}).")
    if not may_call_inference(found):
        report.found("problem", "permission", TOKEN_BAD_NB)
    if not found.get("isPro") and not found.get("canPay"):
        report.found("note", "free", PRICING_NB)


def _mapping(report: Report, model: str, found: Any) -> None:
    if isinstance(found, APIError) and found.status in (401, 404):
        report.found("problem", "no model", ROUTER_NB, model=model, status=found.status)
        return
    if isinstance(found, Exception):
        report.add("problem", f"The Hub's mapping of {model}: {explain(found)}", ERRORS_NB)
        return
    live = {m.get("provider"): m.get("task") for m in found if m.get("status") == "live"}
    if not live:
        report.found("problem", "not served", ROUTER_NB, model=model)
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
    cost = {
        f"{r['model']}:{r['provider']}": (20 * r["input_price"] + 5 * r["output_price"]) / 1e6
        for r in offers(models)
        if model in (None, r["model"]) and None not in (r["input_price"], r["output_price"])
    }
    target = min((t for t in cost if cost[t] <= CALL_LIMIT_USD), key=cost.get, default=None)
    if not target:
        report.found("note", "no call", model=model or "any model", limit=CALL_LIMIT_USD)
        return
    print(f"--call: one chat call to {target}, at most 5 tokens, about ${cost[target]:.6f}.")
    body = {"model": target, "max_tokens": 5, "messages": [{"role": "user", "content": "Say OK."}]}
    try:
        session.request("POST", f"{router}/v1/chat/completions", json=body)
    except HFError as error:
        where = PRICING_NB if getattr(error, "status", None) == 402 else ROUTER_NB
        report.add("problem", f"The call to {target} failed: {explain(error)}", where)
        return
    report.add("ok", f"A chat call to {target} answered (5 tokens at most).")


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
        report.add("problem", f"{error.message} {error.hint}", TOKEN_NB)
        return report
    if mode == "local" and config.token_setting(environ).found:
        report.found("note", "local", reason=reason)
    token = report.secret = _token(report, config.token_setting(environ))
    router = settings.router_url
    with InferenceSession(token, timeout=TIMEOUT, retries=0) as session:
        more = {"retired": lambda: bool(socket.getaddrinfo(RETIRED_HOST, 443))}
        if model:
            more["mapping"] = lambda: session.model_providers(settings.hub_api_url, model)
        got = check_service(report, session, settings.hub_url, router, **more)
        if report.could_not_run:
            return report
        state = "still resolves" if got["retired"] is True else "no longer resolves"
        report.found("note", "retired", CLASSIC_NB, host=RETIRED_HOST, state=state)
        if model:
            _mapping(report, model, got["mapping"])
        if call and token and isinstance(got["models"], dict):
            _call(report, session, router, got["models"], model)
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the doctor from the command line; return the exit code."""
    parser = argparse.ArgumentParser(
        "python -m helpers.doctor",
        description="Say why calls to Hugging Face fail, and what to do.",
        epilog="Exit 0: all good (notes need no action); 1: problems found; 2: it could not run.",
    )
    parser.add_argument("--model", metavar="ID", help="also ask the Hub who serves ID, for what")
    parser.add_argument("--call", action="store_true", help="also one chat call (< $0.0001)")
    parser.add_argument("--scan", metavar="PATH", help="only read a .py or .ipynb for old code")
    args = parser.parse_args(argv)
    from .scan import scan  # reads a file: no settings, no request

    try:
        report = scan(args.scan) if args.scan else diagnose(args.model, args.call)
    except Exception as error:  # a bug of ours: still one sentence, never a traceback
        report = Report(could_not_run=f"The doctor failed: {type(error).__name__}: {error}.")
    print(report)
    return report.code
