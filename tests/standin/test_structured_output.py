"""Structured output: ``response_format`` answers JSON valid for the schema, or a clear 400."""

from __future__ import annotations

import json

import jsonschema
import pytest
from openai import OpenAI

from helpers.contract import CHAT_MODEL
from helpers.standin.serving.structured import UnsupportedSchema, generate_value

MESSAGES = [{"role": "user", "content": "Describe a lighthouse keeper"}]
SCHEMAS = {
    "flat": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 3, "maxLength": 40},
            "age": {"type": "integer", "minimum": 18, "maximum": 99},
            "score": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            "active": {"type": "boolean"},
            "role": {"enum": ["keeper", "visitor"]},
        },
        "required": ["name", "age", "score", "active", "role"],
        "additionalProperties": False,
    },
    "nested arrays": {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 4},
            "shifts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"day": {"type": "string", "format": "date"}},
                    "required": ["day"],
                },
            },
        },
        "required": ["tags", "shifts"],
    },
    "refs and unions": {
        "$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"}}}},
        "type": "object",
        "properties": {
            "where": {"$ref": "#/$defs/point"},
            "note": {"anyOf": [{"type": "null"}, {"type": "string"}]},
            "kind": {"const": "lighthouse"},
            "step": {"type": "number", "minimum": 1, "maximum": 3},
        },
        "required": ["where", "note", "kind", "step"],
    },
    "array at the top": {"type": "array", "items": {"type": ["integer", "null"]}, "minItems": 3},
}


def ask(api, auth, response_format, seed=5, **extra):
    body = {
        "model": CHAT_MODEL,
        "messages": MESSAGES,
        "response_format": response_format,
        "seed": seed,
        **extra,
    }
    return api.post("/v1/chat/completions", json=body, headers=auth)


@pytest.mark.parametrize("name", SCHEMAS)
def test_json_schema_answers_are_valid(api, auth, name):
    # Catches: prose instead of JSON, or JSON that breaks the schema.
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": SCHEMAS[name]}}
    for seed in range(3):
        response = ask(api, auth, fmt, seed=seed)
        assert response.status_code == 200, response.text
        choice = response.json()["choices"][0]
        assert choice["finish_reason"] == "stop"
        jsonschema.validate(json.loads(choice["message"]["content"]), SCHEMAS[name])


@pytest.mark.parametrize(
    "fmt",
    [
        {"type": "json_object", "value": SCHEMAS["flat"]},  # huggingface_hub's hf-inference form
        {"type": "json_schema", "schema": SCHEMAS["flat"]},  # huggingface.js's together form
    ],
    ids=["tgi-value", "together-schema"],
)
def test_the_forms_clients_rewrite_to_are_honoured(api, auth, fmt):
    content = ask(api, auth, fmt).json()["choices"][0]["message"]["content"]
    jsonschema.validate(json.loads(content), SCHEMAS["flat"])


def test_json_object_answers_a_json_object(api, auth):
    content = ask(api, auth, {"type": "json_object"}).json()["choices"][0]["message"]["content"]
    assert isinstance(json.loads(content), dict)


def test_text_format_is_prose(api, auth):
    content = ask(api, auth, {"type": "text"}).json()["choices"][0]["message"]["content"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)


def test_same_seed_same_json_and_seeds_vary_it(api, auth):
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": SCHEMAS["flat"]}}
    texts = [ask(api, auth, fmt, seed=s).json()["choices"][0]["message"]["content"] for s in (1, 1)]
    assert texts[0] == texts[1]
    others = {
        ask(api, auth, fmt, seed=s).json()["choices"][0]["message"]["content"] for s in range(6)
    }
    assert len(others) > 1


def test_streamed_structured_output_rebuilds_the_json(api, auth):
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": SCHEMAS["flat"]}}
    response = ask(api, auth, fmt, stream=True)
    lines = [ln[6:] for ln in response.text.split("\n") if ln.startswith("data: ")][:-1]
    text = "".join(json.loads(ln)["choices"][0]["delta"].get("content") or "" for ln in lines)
    jsonschema.validate(json.loads(text), SCHEMAS["flat"])


@pytest.mark.parametrize(
    ("fmt", "needle"),
    [
        ({"type": "json_schema", "json_schema": {"name": "x"}}, "json_schema"),
        ({"type": "xml"}, "response_format"),
        ({"type": "json_schema", "json_schema": "x"}, "response_format"),
        (
            {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "strin"}}},
            "not a valid JSON schema",
        ),
        (
            {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"type": "string", "pattern": "^[0-9]+$"}},
            },
            "pattern",
        ),
        (
            {"type": "json_schema", "json_schema": {"name": "x", "schema": {"allOf": [{}, {}]}}},
            "allOf",
        ),
        (
            {
                "type": "json_schema",
                "json_schema": {
                    "name": "x",
                    "schema": {"type": "integer", "minimum": 5, "maximum": 1},
                },
            },
            "minimum",
        ),
    ],
)
def test_schemas_the_stand_in_cannot_honour_get_a_clear_400(api, auth, fmt, needle):
    # Catches: a 200 with JSON that does not match, or a 500.
    response = ask(api, auth, fmt)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "response_format" and needle in error["message"]


def test_generate_value_is_checked_before_it_is_returned():
    # A schema whose constraints the builder ignores must fail loudly, not return bad JSON.
    schema = {"type": "array", "items": {"enum": [1]}, "minItems": 2, "uniqueItems": True}
    with pytest.raises(UnsupportedSchema):
        generate_value(schema, 0, lambda topic, n: "word")


def test_openai_client_structured_output(stand_in, token):
    client = OpenAI(base_url=stand_in.url + "/v1", api_key=token, max_retries=0)
    answer = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=MESSAGES,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "keeper", "schema": SCHEMAS["flat"], "strict": True},
        },
    )
    jsonschema.validate(json.loads(answer.choices[0].message.content), SCHEMAS["flat"])


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}},
        {"$ref": "#/$defs/loop", "$defs": {"loop": {"type": "array", "items": {"$ref": "#"}}}},
        {"anyOf": [{"type": "string", "pattern": "x"}, {"not": {}}]},
    ],
    ids=["remote ref", "endless recursion", "no branch"],
)
def test_schemas_that_cannot_be_built_are_refused_without_fetching(api, auth, schema):
    # Catches: a network fetch of a remote $ref, endless recursion, or a 500.
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    assert ask(api, auth, fmt).status_code == 400


TWO_STRINGS = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "motto": {"type": "string"}},
    "required": ["name", "motto"],
}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
            "required": ["city", "unit"],
        },
    },
}
CUT_SHORT = [
    (
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "p", "schema": TWO_STRINGS},
            }
        },
        5,
    ),
    ({"response_format": {"type": "json_object"}}, 4),
    ({"tools": [WEATHER], "tool_choice": "required"}, 3),
]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("extra", "max_tokens"), CUT_SHORT)
def test_max_tokens_bounds_structured_output_and_tool_calls(api, auth, extra, max_tokens, stream):
    """Catches max_tokens ignored with response_format or tools (12 tokens for max_tokens 5,
    finish_reason stop): as OpenAI and vLLM, at most max_tokens tokens, finish_reason "length",
    and the JSON cut short."""
    body = {"model": CHAT_MODEL, "messages": MESSAGES, "max_tokens": max_tokens, "seed": 5, **extra}
    if stream:
        body |= {"stream": True, "stream_options": {"include_usage": True}}
    answer = api.post("/v1/chat/completions", json=body, headers=auth)
    assert answer.status_code == 200, answer.text
    if stream:
        chunks = [
            json.loads(line[6:]) for line in answer.text.split("\n") if line.startswith("data: {")
        ]
        usage = chunks[-1]["usage"]
        finish = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1]
        deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
        text = "".join(
            d.get("content") or "".join(t["function"]["arguments"] for t in d.get("tool_calls", []))
            for d in deltas
        )
    else:
        usage = answer.json()["usage"]
        choice = answer.json()["choices"][0]
        finish = choice["finish_reason"]
        message = choice["message"]
        text = message["content"] or message["tool_calls"][0]["function"]["arguments"]
    assert usage["completion_tokens"] == max_tokens
    assert finish == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)  # cut short: the documented risk of a low max_tokens


@pytest.mark.parametrize(("extra", "max_tokens"), CUT_SHORT)
def test_enough_max_tokens_leaves_structured_output_whole(api, auth, extra, max_tokens):
    body = {"model": CHAT_MODEL, "messages": MESSAGES, "max_tokens": 200, "seed": 5, **extra}
    choice = api.post("/v1/chat/completions", json=body, headers=auth).json()["choices"][0]
    assert choice["finish_reason"] in ("stop", "tool_calls")
    message = choice["message"]
    json.loads(message["content"] or message["tool_calls"][0]["function"]["arguments"])
