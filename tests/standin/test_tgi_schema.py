"""A second opinion from TGI itself: the stand-in's answers validate against TGI's OpenAPI schemas.

``data/tgi_openapi_subset.json`` holds the schemas of TGI's generate routes, copied unchanged
from text-generation-inference ``docs/openapi.json`` at ``db931fcf`` (the commit is in the
file). OpenAPI 3.0's ``nullable`` is turned into JSON Schema's ``null`` type here; everything
else is validated as written, with ``jsonschema``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from helpers.contract import ENDPOINT_PREFIX

DOC = json.loads((Path(__file__).parent / "data" / "tgi_openapi_subset.json").read_text())
PROMPT = "Once upon a time, in a land far away,"


def to_json_schema(node: Any) -> Any:
    """Return ``node`` with OpenAPI 3.0's ``nullable: true`` written as JSON Schema."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {k: to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


COMPONENTS = to_json_schema(DOC["components"])


def check(instance: Any, name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": COMPONENTS}
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_the_saved_schemas_name_their_source():
    assert DOC["commit"].startswith("db931fcf")
    assert DOC["source"].endswith("docs/openapi.json")


def test_the_checker_can_fail():
    with pytest.raises(jsonschema.ValidationError):
        check({"generated_text": 5}, "GenerateResponse")
    with pytest.raises(jsonschema.ValidationError):
        check({"index": 1, "token": {"id": 1, "text": "x", "special": False}}, "StreamResponse")


PARAMETER_SETS = [
    {"max_new_tokens": 6},
    {"max_new_tokens": 6, "details": True},
    {"max_new_tokens": 6, "details": True, "do_sample": True, "seed": 3},
    {"max_new_tokens": 6, "decoder_input_details": False, "top_n_tokens": None},
    {"max_new_tokens": 6, "details": True, "best_of": 1, "watermark": False},
    {"max_new_tokens": 60, "details": True, "stop": ["."]},
]


@pytest.mark.parametrize("parameters", PARAMETER_SETS)
def test_classic_answers_are_lists_of_tgis_generate_response(api, auth, parameters):
    body = {"inputs": PROMPT, "parameters": parameters}
    check(body, "CompatGenerateRequest")  # our request is one TGI documents
    answer = api.post("/models/gpt2", json=body, headers=auth).json()
    assert isinstance(answer, list) and len(answer) == 1
    check(answer[0], "GenerateResponse")


@pytest.mark.parametrize("parameters", [PARAMETER_SETS[0], PARAMETER_SETS[2]])
def test_stream_events_are_tgis_stream_response(api, auth, parameters):
    body = {"inputs": PROMPT, "parameters": parameters, "stream": True}
    response = api.post("/models/gpt2", json=body, headers=auth)
    lines = [line for line in response.text.splitlines() if line]
    assert lines
    for line in lines:
        check(json.loads(line[len("data:") :]), "StreamResponse")


def test_generate_answers_tgis_generate_response(api, auth):
    body = {"inputs": PROMPT, "parameters": {"details": True, "max_new_tokens": 4}}
    check(body, "GenerateRequest")
    check(
        api.post(ENDPOINT_PREFIX + "/generate", json=body, headers=auth).json(), "GenerateResponse"
    )


def test_info_is_tgis_info(api, auth):
    check(api.get(ENDPOINT_PREFIX + "/info", headers=auth).json(), "Info")


def test_validation_errors_are_tgis_error_response(api, auth):
    body = {"inputs": PROMPT, "parameters": {"temperature": 0}}
    check(api.post("/models/gpt2", json=body, headers=auth).json(), "ErrorResponse")


def test_a_mid_stream_error_is_tgis_error_response(make_api, auth):
    api = make_api(stream_error_after_tokens=1)
    body = {"inputs": PROMPT, "parameters": {"max_new_tokens": 4}, "stream": True}
    lines = [
        line for line in api.post("/models/gpt2", json=body, headers=auth).text.splitlines() if line
    ]
    check(json.loads(lines[-1][len("data:") :]), "ErrorResponse")
