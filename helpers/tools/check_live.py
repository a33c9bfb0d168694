"""``python -m helpers.tools.check_live``: has the real service drifted from what we teach?

For a maintainer with a token and a network: a small fixed set of cheap probes (whoami, the
retired host, gpt2's mapping and router answer, one hf-inference task, one completions and one
chat call of at most 5 tokens, ``/v1/models``, an unknown model) goes to the real service and
to a local ``today`` stand-in; what the notebooks rely on (status, content type, a few headers,
the *shape* of each body, never values) is compared. One line per probe (``same | drift |
skipped``) and a dated JSON report; exit 0 same, 1 drift, 2 could not run (no token, a bad
report path, a host unreachable or not the service). Each host is checked once, for free,
first; the worst-case spend is printed and stays under ``MAX_SPEND_USD``. Against stand-ins
(the test suite): ``--router URL --hub URL --legacy URL/api-inference.huggingface.co``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

from ..client.config import find_token, redact
from ..contract import (
    CHAT_MODEL,
    GPT2,
    HF_INFERENCE_LLM,
    HUB_URL,
    LEGACY_INFERENCE_URL,
    LEGACY_PREFIX,
    REQUEST_ID_HEADERS,
    ROUTER_URL,
    SENTIMENT_MODEL,
)

MAX_SPEND_USD = 0.001
"""No run may cost more than this, worst case."""
TIMEOUT = (3.05, 20.0)
"""(connect, read) seconds: a dead network is reported in about 3 seconds."""
RELIED_HEADERS = ("content-type", "x-inference-provider")
"""Response headers the notebooks read. Compared when the stand-in sends them."""
REQUEST_ID = "request id"
"""Any of ``REQUEST_ID_HEADERS`` (which one the router sends is undocumented, REFERENCES.md
[Router]); checked on the router's answers only, which the notebooks quote when a call fails."""


def served_by(body: Any) -> Any:
    """Return the providers an ``expand[]=inferenceProviderMapping`` answer names, sorted
    (its keys are data, not shape: the shape comparison could not see gpt2 come back)."""
    mapping = body.get("inferenceProviderMapping") if isinstance(body, dict) else None
    if isinstance(mapping, list):  # the list form list_models uses
        return sorted(str(entry.get("provider")) for entry in mapping if isinstance(entry, dict))
    return sorted(mapping or {})


@dataclass(frozen=True)
class Probe:
    """One request to send to both services, and its worst-case cost in USD."""

    name: str
    method: str
    base: str  # "router", "hub" or "legacy"
    path: str
    body: dict[str, Any] | None = None
    auth: bool = True
    worst_case_usd: float = 0.0
    why: str = ""
    fact: Callable[[Any], Any] | None = None
    """A value of the body that must be equal on both sides (e.g. who serves gpt2)."""


PROBES: tuple[Probe, ...] = (
    Probe("whoami", "GET", "hub", "/api/whoami-v2", why="the token check of notebook 00"),
    Probe("legacy_host", "POST", "legacy", f"/models/{GPT2}", {"inputs": "Hello"},
          why="the seed tutorial's URL: 410 Gone"),
    Probe("gpt2_mapping", "GET", "hub", f"/api/models/{GPT2}?expand[]=inferenceProviderMapping",
          auth=False, why="does any provider serve gpt2?", fact=served_by),
    # 2 compute-seconds at the published $0.00012/s example rate, at most:
    Probe("gpt2_router", "POST", "router", f"/hf-inference/models/{GPT2}",
          {"inputs": "Hello", "parameters": {"max_new_tokens": 1}}, worst_case_usd=0.00024,
          why="gpt2 on the router (a plain-text 404 while it is not served)"),
    Probe("hf_inference_task", "POST", "router", f"/hf-inference/models/{SENTIMENT_MODEL}",
          {"inputs": "I love this tutorial."}, worst_case_usd=0.00024,
          why="a classic non-LLM task on hf-inference"),
    Probe("completions", "POST", "router", f"/hf-inference/models/{HF_INFERENCE_LLM}/v1/completions",
          {"model": HF_INFERENCE_LLM, "prompt": "Hello", "max_tokens": 5}, worst_case_usd=0.00024,
          why="LLM text generation in the OpenAI completions shape"),
    # 30 tokens in, 5 out, bounded at $3 per million tokens:
    Probe("chat", "POST", "router", "/v1/chat/completions",
          {"model": CHAT_MODEL, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 5},
          worst_case_usd=0.0001, why="chat completions on the router"),
    Probe("models", "GET", "router", "/v1/models", auth=False, why="the router's chat models"),
    Probe("unknown_model", "POST", "router", "/v1/chat/completions",
          {"model": "no-such-org/no-such-model", "messages": [{"role": "user", "content": "Hi"}]},
          why="the error for a model nobody serves"),
)  # fmt: skip


def worst_case_spend(probes: Sequence[Probe] = PROBES) -> float:
    """Return the most a run of ``probes`` can cost, in USD."""
    return sum(p.worst_case_usd for p in probes)


def body_shape(value: Any) -> Any:
    """Return the shape of a JSON value: dict keys kept, lists by their first item, leaves typed.

    >>> body_shape({"a": [1, 2], "b": None, "c": {"d": "x"}})
    {'a': ['number'], 'b': 'null', 'c': {'d': 'string'}}
    """
    if isinstance(value, dict):
        return {key: body_shape(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [body_shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "null"


@dataclass
class Observation:
    """What one service answered to one probe, values left out."""

    status: int | None
    content_type: str | None = None
    headers: dict[str, bool] = field(default_factory=dict)
    shape: Any = None
    error: str | None = None
    fact: Any = None


def observe(response: requests.Response, probe: Probe | None = None) -> Observation:
    """Return the Observation of a response: status, content type (no parameters), headers, shape."""
    content_type = (response.headers.get("content-type") or "").split(";")[0].strip() or None
    fact = None
    try:
        body = response.json()
        shape = body_shape(body)
        if probe is not None and probe.fact is not None:
            fact = probe.fact(body)
    except ValueError:
        shape = "text" if response.content else "empty"
    headers = {name: name in response.headers for name in RELIED_HEADERS}
    if probe is None or probe.base == "router":
        headers[REQUEST_ID] = any(name in response.headers for name in REQUEST_ID_HEADERS)
    return Observation(response.status_code, content_type, headers, shape, fact=fact)


def shape_differences(expected: Any, seen: Any, where: str = "body") -> list[str]:
    """Return how ``seen`` lacks what ``expected`` has (missing keys, other types).

    Extra keys on the real side are fine; ``null`` matches anything and may be absent.
    """
    if expected == "null" or seen == "null" or expected == seen:
        return []
    if isinstance(expected, dict) and isinstance(seen, dict):
        problems = []
        for key, sub in expected.items():
            if key not in seen:
                if sub != "null":  # a null field is optional: servers often leave it out
                    problems.append(f"{where}.{key} missing")
            else:
                problems.extend(shape_differences(sub, seen[key], f"{where}.{key}"))
        return problems
    if isinstance(expected, list) and isinstance(seen, list):
        if not expected or not seen:
            return []
        return shape_differences(expected[0], seen[0], f"{where}[0]")
    return [f"{where} is {_kind(seen)}, expected {_kind(expected)}"]


def _kind(shape: Any) -> str:
    return {dict: "an object", list: "a list"}.get(type(shape), str(shape))


def compare(expected: Observation, seen: Observation) -> list[str]:
    """Return the drifts between the stand-in's answer (expected) and the service's (seen)."""
    if seen.error:
        return [seen.error]
    drifts = []
    if expected.status != seen.status:
        drifts.append(f"status {seen.status}, expected {expected.status}")
    if expected.content_type != seen.content_type:
        drifts.append(f"content type {seen.content_type}, expected {expected.content_type}")
    for name, present in expected.headers.items():
        if present and not seen.headers.get(name):
            drifts.append(f"header {name} missing")
    if expected.status == seen.status:
        drifts.extend(shape_differences(expected.shape, seen.shape))
        if expected.fact != seen.fact:
            drifts.append(f"{seen.fact!r}, expected {expected.fact!r}")
    return drifts


Sender = Callable[[Probe], Observation]


def http_sender(urls: dict[str, str], token: str, session: requests.Session) -> Sender:
    """Return a function that sends a probe to ``urls[probe.base]`` and observes the answer."""

    def send(probe: Probe) -> Observation:
        headers = {"Authorization": f"Bearer {token}"} if probe.auth else {}
        url = urls[probe.base].rstrip("/") + probe.path
        try:
            response = session.request(
                probe.method, url, json=probe.body, headers=headers, timeout=TIMEOUT
            )
        except requests.RequestException as exc:
            return Observation(None, error=f"no answer ({type(exc).__name__})")
        return observe(response, probe)

    return send


@dataclass
class ProbeResult:
    """One line of the report."""

    probe: str
    verdict: str  # "same", "drift" or "skipped"
    detail: str
    expected: Observation | None = None
    seen: Observation | None = None

    def line(self) -> str:
        """Return ``probe: verdict - detail``."""
        return f"{self.probe}: {self.verdict} - {self.detail}"


def run_probes(
    live: Sender, reference: Sender, probes: Sequence[Probe] = PROBES
) -> list[ProbeResult]:
    """Return one ProbeResult per probe, comparing the live answer with the reference."""
    results = []
    for probe in probes:
        expected = reference(probe)
        if expected.error:
            results.append(ProbeResult(probe.name, "skipped", f"the stand-in: {expected.error}"))
            continue
        seen = live(probe)
        if seen.error:  # no answer is not drift: the run could not compare this probe
            results.append(ProbeResult(probe.name, "skipped", seen.error, expected, seen))
            continue
        drifts = compare(expected, seen)
        verdict = "drift" if drifts else "same"
        detail = "; ".join(drifts) if drifts else f"{seen.status} {seen.content_type}"
        results.append(ProbeResult(probe.name, verdict, detail, expected, seen))
    return results


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Return the command line's options."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.tools.check_live",
        description="Compare the real service's answers with the stand-in's today profile.",
    )
    parser.add_argument("--router", default=ROUTER_URL, help=f"router base URL ({ROUTER_URL})")
    parser.add_argument("--hub", default=HUB_URL, help=f"Hub base URL ({HUB_URL})")
    parser.add_argument(
        "--legacy", default=LEGACY_INFERENCE_URL, help=f"retired host ({LEGACY_INFERENCE_URL})"
    )
    parser.add_argument("--report", type=Path, default=None, help="write a JSON report here")
    return parser.parse_args(argv)


def write_report(path: Path, args: argparse.Namespace, results: list[ProbeResult]) -> None:
    """Write the dated JSON report (shapes and statuses only: no values, no token)."""
    report = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "targets": {"router": args.router, "hub": args.hub, "legacy": args.legacy},
        "worst_case_usd": worst_case_spend(),
        "drift": any(r.verdict == "drift" for r in results),
        "probes": [asdict(r) for r in results],
    }
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


HOST_NAMES = {"hub": "the Hub", "router": "the router", "legacy": "the retired host"}
COULD_NOT_RUN = "check_live could not run: {why}"


def report_path_problem(path: Path | None) -> str | None:
    """Return why the report cannot be written at ``path`` (checked before any probe), or None."""
    if path is None:
        return None
    folder = path.parent
    if path.is_dir():
        return f"the report path {path} is a folder; name a file, e.g. {path / 'report.json'}."
    if not folder.is_dir():
        return f"the report's folder {folder} does not exist; create it or name another path."
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"the report {path} cannot be written here (permissions); name another path."
    return None


def _looks_like(base: str, response: requests.Response) -> bool:
    """Return True when ``response`` is what the real ``base`` answers to the pre-flight GET."""
    html = "html" in (response.headers.get("content-type") or "")
    if base == "legacy":  # the retired host answers 410 to everything: any non-HTML answer
        return not (html and response.status_code < 300)
    try:
        body = response.json()
    except ValueError:
        return False
    if base == "hub":
        return isinstance(body, dict) and "name" in body
    return isinstance(body, dict) and isinstance(body.get("data"), list)  # router /v1/models


PREFLIGHT_PATHS = {"hub": "/api/whoami-v2", "router": "/v1/models", "legacy": "/"}
"""Free requests that show each host is reachable and is the service (whoami checks the token)."""


def preflight(urls: dict[str, str], token: str, session: requests.Session) -> str | None:
    """Return why the probes cannot run, in one sentence, or None when all three hosts answer."""
    for base in ("hub", "router", "legacy"):
        url = urls[base].rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if base == "hub" else {}
        try:
            response = session.get(url + PREFLIGHT_PATHS[base], timeout=TIMEOUT, headers=headers)
        except requests.RequestException as exc:
            return COULD_NOT_RUN.format(
                why=f"{url} ({HOST_NAMES[base]}) cannot be reached ({type(exc).__name__}); "
                "check the network and the URL, then try again."
            )
        if base == "hub" and response.status_code in (401, 403):
            return COULD_NOT_RUN.format(
                why=f"the Hub refused the token {redact(token)} ({response.status_code}); "
                "check HF_TOKEN."
            )
        if not _looks_like(base, response):
            kind = (response.headers.get("content-type") or "no content type").split(";")[0]
            return COULD_NOT_RUN.format(
                why=f"{url} answered {response.status_code} {kind}, but not like "
                f"{HOST_NAMES[base]} (a captive portal or proxy?); check the network and "
                "the URL, then try again."
            )
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the probes; return the exit code (0 same, 1 drift, 2 could not run)."""
    args = parse_args(argv)
    token = find_token()
    if not token:
        print("check_live could not run: no token (set HF_TOKEN in the environment or .env).")
        return 2
    spend = worst_case_spend()  # under MAX_SPEND_USD: a test on PROBES guards it
    problem = report_path_problem(args.report)
    if problem:
        print(COULD_NOT_RUN.format(why=problem))
        return 2
    urls = {"router": args.router, "hub": args.hub, "legacy": args.legacy}
    with requests.Session() as session:
        problem = preflight(urls, token, session)  # free: before any spend
        if problem:
            print(problem)
            return 2
        print(f"worst-case spend of this run: ${spend:.5f} (limit ${MAX_SPEND_USD})")
        from ..standin import start  # the reference: what the notebooks are written against

        with start(profile="today") as reference_api:
            reference_urls = {
                "router": reference_api.url,
                "hub": reference_api.url,
                "legacy": reference_api.url + LEGACY_PREFIX,
            }
            from ..lessons.connection import local_token

            reference = http_sender(reference_urls, local_token(), session)
            results = run_probes(http_sender(urls, token, session), reference)
    for result in results:
        print(result.line())
    if args.report:
        write_report(args.report, args, results)
        print(f"report written to {args.report} (token {redact(token)} not included)")
    unanswered = [r.probe for r in results if r.seen is not None and r.seen.error]
    if unanswered:
        print(
            COULD_NOT_RUN.format(
                why=f"no answer to {', '.join(unanswered)} (the network or a host went away "
                "during the run); run it again."
            )
        )
        return 2
    return 1 if any(r.verdict == "drift" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
