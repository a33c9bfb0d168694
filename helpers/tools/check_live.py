"""``python -m helpers.tools.check_live``: has the real service drifted from what we teach?

Nine cheap probes go to the real service and to a local ``today`` stand-in; status, content type,
the headers the notebooks read and each body's *shape* are compared: ``probe: same | drift |
skipped - detail``, and a JSON report with ``--report``. The free probes go first and show that
each host is reachable, is the service and accepts the token. Exit 0 same, 1 drift, 2 could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import requests

from .. import contract as c
from ..client.config import find_token, redact

MAX_SPEND_USD = 0.001
TIMEOUT = (3.05, 20.0)
RELIED_HEADERS = ("content-type", "x-inference-provider")
HOSTS = {"hub": "the Hub", "router": "the router", "legacy": "the retired host"}


class Probe(NamedTuple):
    name: str
    method: str
    base: str
    path: str
    body: dict[str, Any] | None = None
    auth: bool = True
    worst_case_usd: float = 0.0
    fact: Callable[[Any], Any] | None = None
    """A value of the body that must be equal on both sides (shapes cannot see who serves gpt2)."""


HI = [{"role": "user", "content": "Hi"}]
PROBES = (  # the free ones first; 2 compute-seconds at $0.00012/s, or 35 tokens at $3 per million
    Probe("whoami", "GET", "hub", "/api/whoami-v2"),
    Probe("legacy_host", "POST", "legacy", f"/models/{c.GPT2}", {"inputs": "Hello"}),
    Probe("gpt2_mapping", "GET", "hub", f"/api/models/{c.GPT2}?expand[]=inferenceProviderMapping",
          auth=False, fact=lambda body: sorted(body.get("inferenceProviderMapping") or {})),
    Probe("models", "GET", "router", "/v1/models", auth=False),
    Probe("unknown_model", "POST", "router", "/v1/chat/completions",
          {"model": "no-such-org/no-such-model", "messages": HI}),
    Probe("gpt2_router", "POST", "router", f"/hf-inference/models/{c.GPT2}",
          {"inputs": "Hello", "parameters": {"max_new_tokens": 1}}, worst_case_usd=0.00024),
    Probe("hf_inference_task", "POST", "router", f"/hf-inference/models/{c.SENTIMENT_MODEL}",
          {"inputs": "I love this tutorial."}, worst_case_usd=0.00024),
    Probe("completions", "POST", "router", f"/hf-inference/models/{c.HF_INFERENCE_LLM}/v1/completions",
          {"model": c.HF_INFERENCE_LLM, "prompt": "Hello", "max_tokens": 5}, worst_case_usd=0.00024),
    Probe("chat", "POST", "router", "/v1/chat/completions",
          {"model": c.CHAT_MODEL, "messages": HI, "max_tokens": 5}, worst_case_usd=0.0001),
)  # fmt: skip


def worst_case_spend(probes: Sequence[Probe] = PROBES) -> float:
    return sum(p.worst_case_usd for p in probes)


def body_shape(value: Any) -> Any:
    """Return the shape of a JSON value: keys kept, lists by their first item, leaves typed."""
    if isinstance(value, dict):
        return {key: body_shape(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [body_shape(value[0])] if value else []
    kinds = ((bool, "bool"), ((int, float), "number"), (str, "string"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


def shape_differences(expected: Any, seen: Any, where: str = "body") -> list[str]:
    """Return what ``seen`` lacks of ``expected``; extra keys are fine, ``null`` matches anything."""
    if "null" in (expected, seen) or expected == seen:
        return []
    if isinstance(expected, dict) and isinstance(seen, dict):
        problems = []
        for key, sub in expected.items():
            if key in seen:
                problems += shape_differences(sub, seen[key], f"{where}.{key}")
            elif sub != "null":  # a null field is optional: servers often leave it out
                problems.append(f"{where}.{key} missing")
        return problems
    if isinstance(expected, list) and isinstance(seen, list):
        return shape_differences(expected[0], seen[0], f"{where}[0]") if expected and seen else []
    kind = {dict: "an object", list: "a list"}
    return [
        f"{where} is {kind.get(type(seen), seen)}, expected {kind.get(type(expected), expected)}"
    ]


def observe(session: requests.Session, url: str, token: str, probe: Probe) -> dict[str, Any]:
    """Send ``probe`` to ``url``; return the status, content type, headers and shape (no values)."""
    headers = {"Authorization": f"Bearer {token}"} if probe.auth else {}
    try:
        answer = session.request(
            probe.method, url + probe.path, json=probe.body, headers=headers, timeout=TIMEOUT
        )
    except requests.RequestException as exc:
        return {"error": f"no answer ({type(exc).__name__})"}
    relied = [h for h in RELIED_HEADERS if h in answer.headers]
    if probe.base == "router" and any(h in answer.headers for h in c.REQUEST_ID_HEADERS):
        relied.append("request id")
    kind = answer.headers.get("content-type", "").split(";")[0] or None
    seen = {"status": answer.status_code, "type": kind, "headers": relied, "fact": None}
    try:
        body = answer.json()
        seen["shape"], seen["fact"] = body_shape(body), probe.fact(body) if probe.fact else None
    except ValueError:
        seen["shape"] = "text" if answer.content else "empty"
    return seen


def compare(expected: dict[str, Any], seen: dict[str, Any]) -> list[str]:
    """Return the drifts between the stand-in's answer (expected) and the service's (seen)."""
    drifts = [
        f"{k} {seen[k]}, expected {expected[k]}"
        for k in ("status", "type")
        if seen[k] != expected[k]
    ]
    drifts += [f"header {h} missing" for h in expected["headers"] if h not in seen["headers"]]
    if expected["status"] == seen["status"]:
        drifts += shape_differences(expected["shape"], seen["shape"])
        if seen["fact"] != expected["fact"]:
            drifts.append(f"{seen['fact']!r}, expected {expected['fact']!r}")
    return drifts


def not_the_service(probe: Probe, url: str, token: str, seen: dict[str, Any]) -> str | None:
    """Return why a free probe's answer stops the run (unreachable, a portal, a refused token)."""
    name, shape = HOSTS[probe.base], seen.get("shape")
    if "error" in seen:
        return f"{url} ({name}) cannot be reached ({seen['error']}); check the network and the URL."
    if probe.name == "whoami" and seen["status"] in (401, 403):
        return f"the Hub refused the token {redact(token)} ({seen['status']}); check HF_TOKEN."
    portal = {
        "whoami": not (isinstance(shape, dict) and "name" in shape),
        "models": not (isinstance(shape, dict) and isinstance(shape.get("data"), list)),
        "legacy_host": "html" in (seen["type"] or "") and seen["status"] < 300,
    }
    if portal.get(probe.name):
        return f"{url} answered {seen['status']}, but not like {name} (a captive portal or proxy?); check the network and the URL."
    return None


def run(urls: dict[str, str], token: str) -> tuple[list[dict[str, Any]], str | None]:
    """Return (one result per probe, why the run stopped or None); the free probes go first."""
    from ..lessons.connection import local_token
    from ..standin import start

    with requests.Session() as session:
        seen = {}
        for probe in PROBES:
            if probe.worst_case_usd == 0:
                seen[probe.name] = observe(session, urls[probe.base], token, probe)
                problem = not_the_service(probe, urls[probe.base], token, seen[probe.name])
                if problem:
                    return [], problem
        print(f"worst-case spend of this run: ${worst_case_spend():.5f} (limit ${MAX_SPEND_USD})")
        with start(profile="today") as api:
            reference = {"router": api.url, "hub": api.url, "legacy": api.url + c.LEGACY_PREFIX}
            results = []
            for probe in PROBES:
                expected = observe(session, reference[probe.base], local_token(), probe)
                if probe.name not in seen:
                    seen[probe.name] = observe(session, urls[probe.base], token, probe)
                error = seen[probe.name].get("error") or expected.get("error")
                drifts = [] if error else compare(expected, seen[probe.name])
                verdict = "skipped" if error else "drift" if drifts else "same"
                detail = (
                    error
                    or "; ".join(drifts)
                    or f"{seen[probe.name]['status']} {seen[probe.name]['type']}"
                )
                result = dict(probe=probe.name, verdict=verdict, detail=detail, expected=expected)
                results.append({**result, "seen": seen[probe.name]})
    unanswered = [r["probe"] for r in results if "error" in r["seen"]]
    return results, f"no answer to {', '.join(unanswered)}; run it again." if unanswered else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the probes; return the exit code (0 same, 1 drift, 2 could not run)."""
    parser = argparse.ArgumentParser(prog="python -m helpers.tools.check_live")
    defaults = {"router": c.ROUTER_URL, "hub": c.HUB_URL, "legacy": c.LEGACY_INFERENCE_URL}
    for name, default in defaults.items():
        parser.add_argument(f"--{name}", default=default, help=f"{name} base URL ({default})")
    parser.add_argument("--report", help="write a JSON report here")
    args = parser.parse_args(argv)
    token, problem, results, report = find_token(), None, [], None
    try:
        if not token:
            problem = "no token (set HF_TOKEN in the environment or .env)."
        elif args.report:
            report = open(args.report, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    except OSError as error:
        problem = f"the report {args.report} cannot be written ({error.strerror})."
    if not problem:
        results, problem = run({b: getattr(args, b).rstrip("/") for b in HOSTS}, token)
    for result in results:
        print(f"{result['probe']}: {result['verdict']} - {result['detail']}")
    if report:
        with report:
            date = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            summary = {"date": date, "worst_case_usd": worst_case_spend(), "probes": results}
            json.dump(summary, report, indent=2)
        print(f"report written to {args.report} (token {redact(token)} not included)")
    if problem:
        print(f"check_live could not run: {problem}")
        return 2
    return 1 if any(r["verdict"] == "drift" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
