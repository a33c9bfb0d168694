"""``/openapi.json`` documents every route, body and status the stand-in really answers.

The last test exercises every documented operation in process (good and bad bodies, with and
without a token, and with each knob that changes the status) and checks that each status seen
is documented for the operation that answered it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpers.standin import StandInOptions, create_app

TOKEN = "hf_" + "t" * 34
WEAK = "hf_" + "w" * 34
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MODELS = ["gpt2", "openai/gpt-oss-120b", "sentence-transformers/all-MiniLM-L6-v2", "no/such"]
GOOD_BODIES = [
    {"inputs": "Hello there", "parameters": {"max_new_tokens": 2}},
    {"model": "openai/gpt-oss-120b", "messages": [{"role": "user", "content": "Hi"}]}
    | {"max_tokens": 2},
    {"model": "openai-community/gpt2", "prompt": "Hi", "max_tokens": 2},
]
KNOBS = [
    StandInOptions(rate_limit="1/60"),
    StandInOptions(credits_usd=0),
    StandInOptions(cold_start_s=30),
    StandInOptions(tokens_without_inference={TOKEN}),
    *(StandInOptions(fault_rate=1.0, fault_kinds=(k,)) for k in ("500", "502", "503", "504")),
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with TestClient(create_app()) as client:
        return client.get("/openapi.json").json()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for path, ops in document["paths"].items():
        for method in ops:
            yield method.upper(), path


def concrete(template: str) -> list[str]:
    if "{model_id}" in template:
        return [template.replace("{model_id}", m) for m in MODELS]
    return [template.replace("{rest}", "models/gpt2")]


class RouteRecorder:
    """ASGI wrapper: remembers which route answered the last request (Starlette's scope)."""

    def __init__(self, app) -> None:
        self.app = app
        self.route: str | None = None

    async def __call__(self, scope, receive, send) -> None:
        scope.pop("route", None)
        await self.app(scope, receive, send)
        route = scope.get("route")
        self.route = getattr(route, "path_format", None)


def test_every_reference_resolves(document):
    text = json.dumps(document)
    assert "#/$defs/" not in text
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        node: Any = document
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]


def test_the_chat_and_classic_routes_document_their_bodies(document):
    for path in (
        "/models/{model_id}",
        "/hf-inference/models/{model_id}/pipeline/feature-extraction",
    ):
        assert "requestBody" in document["paths"][path]["post"], path


def test_the_retired_host_is_documented_as_gone(document):
    assert set(document["paths"]["/api-inference.huggingface.co/{rest}"]["get"]["responses"]) == {
        "410"
    }


def test_every_status_a_route_answers_is_documented(document):
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)

    def exercise(options: StandInOptions | None, requests_per_op: str) -> None:
        recorder = RouteRecorder(create_app(options))
        with TestClient(recorder, raise_server_exceptions=False) as client:
            for method, template in operations(document):
                paths = concrete(template)
                for path in paths if requests_per_op == "all" else paths[:1]:
                    for kwargs in _requests(method, requests_per_op):
                        response = client.request(method, path, **kwargs)
                        assert recorder.route is not None, f"no route answered {method} {path}"
                        seen[method, recorder.route].add(response.status_code)

    exercise(None, "all")
    for options in KNOBS:
        exercise(options, "twice")
    undocumented = {
        f"{method} {path}: {sorted(s - documented(document, method, path))}"
        for (method, path), s in seen.items()
        if s - documented(document, method, path)
    }
    assert not undocumented, sorted(undocumented)
    assert len(seen) == sum(1 for _ in operations(document))  # every operation was reached


def documented(document: dict[str, Any], method: str, path: str) -> set[int]:
    return {int(s) for s in document["paths"][path][method.lower()]["responses"]}


def _requests(method: str, kind: str) -> list[dict[str, Any]]:
    if method != "POST":
        return [{"headers": AUTH}, {}]
    if kind == "twice":  # the second one meets the rate limit
        return [{"json": GOOD_BODIES[0], "headers": AUTH}] * 2
    # "all": good bodies of each surface, then what every JSON route must refuse
    return [
        *({"json": body, "headers": AUTH} for body in GOOD_BODIES),
        {"content": b"{", "headers": {**AUTH, "Content-Type": "application/json"}},
        {"content": b'{"inputs": 1}', "headers": AUTH},  # no Content-Type
        {"content": b"[" * 5000, "headers": {**AUTH, "Content-Type": "application/json"}},
        {"json": {}, "headers": AUTH},
        {"json": GOOD_BODIES[0]},  # no token
        {"json": GOOD_BODIES[0], "headers": {"Authorization": f"Bearer {WEAK}"} | {"x": "y"}},
    ]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_nothing_from_another_host(api, page):
    """Catches /docs left blank in a room without internet: FastAPI's own page loads
    swagger-ui from cdn.jsdelivr.net (and its favicon from fastapi.tiangolo.com)."""

    answer = api.get(page)
    assert answer.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", answer.text)
    assets += re.findall(r"""url: *["']([^"']+)["']""", answer.text)
    assert assets, answer.text
    assert not [a for a in assets if re.match(r"(https?:)?//", a)], assets
    assert "cdn.jsdelivr.net" not in answer.text and "googleapis" not in answer.text
    for asset in assets:
        served = api.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 0, asset
