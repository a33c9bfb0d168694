"""``python -m helpers.tools.check_live``: has the real service drifted from what we teach?

The doctor's free checks go first (each host answers as the service does, the token is accepted);
then nine cheap probes go to the real service and to a local ``today`` stand-in, and the status,
content type, headers the notebooks read and each body's *shape* are compared: ``probe: same |
drift | skipped - detail``, a JSON report with ``--report``. Exit 0 same, 1 drift, 2 could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import requests

from .. import contract as c
from ..client.config import find_token, redact
from ..client.session import InferenceSession
from ..doctor import Report, check_service

MAX_SPEND_USD = 0.001
TIMEOUT = (3.05, 20.0)
RELIED_HEADERS = ("content-type", "x-inference-provider")


# A GET (no body) or POST to the base host's path; fact: a key of the answer whose keys must be
# equal on both sides (a shape cannot see who serves gpt2).
Probe = namedtuple("Probe", "name base path body worst_case_usd fact", defaults=(None, 0.0, None))
HI = [{"role": "user", "content": "Hi"}]
CLASSIC = "/hf-inference/models/"
MAPPING = f"/api/models/{c.GPT2}?expand[]=inferenceProviderMapping"
ONE_TOKEN = {"inputs": "Hello", "parameters": {"max_new_tokens": 1}}
LLM = f"{CLASSIC}{c.HF_INFERENCE_LLM}/v1/completions"
COMPLETE = {"model": c.HF_INFERENCE_LLM, "prompt": "Hello", "max_tokens": 5}
CHAT = {"model": c.CHAT_MODEL, "messages": HI, "max_tokens": 5}
PROBES = (  # 2 compute-seconds at $0.00012/s, or 35 tokens at $3 per million
    Probe("whoami", "hub", "/api/whoami-v2"),
    Probe("legacy_host", "legacy", f"/models/{c.GPT2}", {"inputs": "Hello"}),
    Probe("gpt2_mapping", "hub", MAPPING, fact="inferenceProviderMapping"),
    Probe("models", "router", "/v1/models"),
    Probe("unknown_model", "router", "/v1/chat/completions", {"model": "no/such", "messages": HI}),
    Probe("gpt2_router", "router", CLASSIC + c.GPT2, ONE_TOKEN, 0.00024),
    Probe("hf_inference_task", "router", CLASSIC + c.SENTIMENT_MODEL, {"inputs": "Hi"}, 0.00024),
    Probe("completions", "router", LLM, COMPLETE, 0.00024),
    Probe("chat", "router", "/v1/chat/completions", CHAT, 0.0001),
)


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
    said = kind.get(type(seen), seen), kind.get(type(expected), expected)
    return [f"{where} is {said[0]}, expected {said[1]}"]


def observe(session: requests.Session, url: str, token: str, probe: Probe) -> dict[str, Any]:
    """Send ``probe`` to ``url``; return the status, content type, headers and shape (no values)."""
    try:
        auth = {"Authorization": f"Bearer {token}"}
        method = "POST" if probe.body else "GET"
        answer = session.request(
            method, url + probe.path, json=probe.body, headers=auth, timeout=TIMEOUT
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
        seen["shape"] = body_shape(body)
        seen["fact"] = sorted(body.get(probe.fact) or {}) if probe.fact else None
    except ValueError:
        seen["shape"] = "text" if answer.content else "empty"
    return seen


def compare(expected: dict[str, Any], seen: dict[str, Any]) -> list[str]:
    """Return the drifts between the stand-in's answer (expected) and the service's (seen)."""
    keys = ("status", "type")
    drifts = [f"{k} {seen[k]}, expected {expected[k]}" for k in keys if seen[k] != expected[k]]
    drifts += [f"header {h} missing" for h in expected["headers"] if h not in seen["headers"]]
    if expected["status"] == seen["status"]:
        drifts += shape_differences(expected["shape"], seen["shape"])
        if seen["fact"] != expected["fact"]:
            drifts.append(f"{seen['fact']!r}, expected {expected['fact']!r}")
    return drifts


def free_checks(urls: dict[str, str], token: str) -> str | None:
    """Return why the run cannot go on (a host unreachable or not the service, the token refused)."""
    report = Report(secret=token)
    with InferenceSession(token, timeout=TIMEOUT, retries=0) as session:
        check_service(report, session, urls["hub"], urls["router"])
    problems = [said for level, said, _ in report.findings if level == "problem"]
    return report.could_not_run or " ".join(problems) or None


def run(urls: dict[str, str], token: str) -> tuple[list[dict[str, Any]], str | None]:
    """Return (one result per probe, why the run stopped or None); the free checks go first."""
    from ..lessons.connection import local_token
    from ..standin import start

    problem = free_checks(urls, token)
    if problem:
        return [], problem
    print(f"worst-case spend of this run: ${worst_case_spend():.5f} (limit ${MAX_SPEND_USD})")
    results = []
    with requests.Session() as session, start(profile="today") as api:
        reference = {"router": api.url, "hub": api.url, "legacy": api.url + c.LEGACY_PREFIX}
        for probe in PROBES:
            expected = observe(session, reference[probe.base], local_token(), probe)
            seen = observe(session, urls[probe.base], token, probe)
            error = seen.get("error") or expected.get("error")
            drifts = [] if error else compare(expected, seen)
            verdict = "skipped" if error else "drift" if drifts else "same"
            detail = error or "; ".join(drifts) or f"{seen['status']} {seen['type']}"
            results.append(
                dict(probe=probe.name, verdict=verdict, detail=detail, expected=expected, seen=seen)
            )
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
    token, results, report = find_token(), [], None
    try:
        problem = None if token else "no token (set HF_TOKEN in the environment or .env)."
        if token and args.report:
            report = open(args.report, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    except OSError as error:
        problem = f"the report {args.report} cannot be written ({error.strerror})."
    if not problem:
        results, problem = run({b: getattr(args, b).rstrip("/") for b in defaults}, token)
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
