"""Tool calling on the stand-in's chat routes: tool_choice rules, shapes, streamed deltas."""

from __future__ import annotations

import json

import jsonschema
import pytest
from openai import OpenAI

from helpers.contract import CHAT_MODEL

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "minLength": 2},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 5},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
BOOKING = {
    "type": "function",
    "function": {
        "name": "book_table",
        "description": "Reserve a restaurant table",
        "parameters": {
            "type": "object",
            "properties": {"guests": {"type": "integer", "minimum": 1, "maximum": 12}},
            "required": ["guests"],
        },
    },
}
TOOLS = [BOOKING, WEATHER]
ASKS_WEATHER = [{"role": "user", "content": "What is the weather in Paris?"}]
SMALL_TALK = [{"role": "user", "content": "Tell me a story about a lighthouse"}]


def chat(api, auth, messages, **extra):
    body = {"model": CHAT_MODEL, "messages": messages, "tools": TOOLS, "seed": 4, **extra}
    response = api.post("/v1/chat/completions", json=body, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]


def schema_of(name: str) -> dict:
    return next(t for t in TOOLS if t["function"]["name"] == name)["function"]["parameters"]


def test_auto_calls_the_tool_the_user_mentions_with_valid_arguments(api, auth):
    # Catches: tools silently ignored (prose), or arguments that break the tool's schema.
    choice = chat(api, auth, ASKS_WEATHER)
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["id"].startswith("call_")
    assert call["function"]["name"] == "get_weather"
    assert isinstance(call["function"]["arguments"], str)
    jsonschema.validate(json.loads(call["function"]["arguments"]), schema_of("get_weather"))


def test_auto_answers_in_prose_when_no_tool_is_mentioned(api, auth):
    choice = chat(api, auth, SMALL_TALK)
    assert choice["finish_reason"] in ("stop", "length")
    assert choice["message"]["content"] and "tool_calls" not in choice["message"]


def test_none_never_calls(api, auth):
    choice = chat(api, auth, ASKS_WEATHER, tool_choice="none")
    assert "tool_calls" not in choice["message"] and choice["message"]["content"]


def test_required_calls_a_tool_even_without_a_mention(api, auth):
    choice = chat(api, auth, SMALL_TALK, tool_choice="required")
    (call,) = choice["message"]["tool_calls"]
    assert call["function"]["name"] == "book_table"  # the first tool when none is mentioned
    jsonschema.validate(json.loads(call["function"]["arguments"]), schema_of("book_table"))


def test_named_function_is_called(api, auth):
    named = {"type": "function", "function": {"name": "book_table"}}
    choice = chat(api, auth, ASKS_WEATHER, tool_choice=named)
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "book_table"


def test_after_a_tool_result_auto_answers_in_prose(api, auth):
    # A conversation that ends with the tool's result gets the model's reply, not another call.
    call = chat(api, auth, ASKS_WEATHER)["message"]["tool_calls"][0]
    messages = [
        *ASKS_WEATHER,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": '{"temperature": 18}'},
    ]
    choice = chat(api, auth, messages)
    assert choice["finish_reason"] in ("stop", "length") and choice["message"]["content"]


def test_same_seed_same_arguments(api, auth):
    first, second = (
        chat(api, auth, ASKS_WEATHER)["message"]["tool_calls"][0]["function"]["arguments"]
        for _ in range(2)
    )
    assert first == second


def test_tools_count_in_the_prompt_tokens(api, auth):
    # The tools are part of the prompt; usage shows it.
    body = {"model": CHAT_MODEL, "messages": SMALL_TALK, "max_tokens": 2}
    plain = api.post("/v1/chat/completions", json=body, headers=auth).json()["usage"]
    with_tools = api.post(
        "/v1/chat/completions", json={**body, "tools": TOOLS}, headers=auth
    ).json()["usage"]
    assert plain["prompt_tokens"] < with_tools["prompt_tokens"]


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice"),
        ({"tool_choice": "sometimes"}, "tool_choice"),
        (
            {"tools": [{"type": "function", "function": {"description": "no name"}}]},
            "tools.0.function.name",
        ),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": 3}}]},
            "tools.0.function.parameters",
        ),
    ],
)
def test_bad_tool_requests_get_400(api, auth, extra, param):
    body = {"model": CHAT_MODEL, "messages": ASKS_WEATHER, "tools": TOOLS, **extra}
    response = api.post("/v1/chat/completions", json=body, headers=auth)
    assert response.status_code == 400
    assert response.json()["error"]["param"].startswith(param)


@pytest.mark.parametrize(
    "extra", [{"tools": []}, {"tools": [], "tool_choice": "auto"}, {"tool_prompt": "x"}]
)
def test_what_frameworks_send_without_tools_is_a_prose_200(api, auth, extra):
    # pydantic-ai's recorded traffic sends "tools": [] (the router answers 200, not 400).
    body = {"model": CHAT_MODEL, "messages": ASKS_WEATHER, **extra}
    choice = api.post("/v1/chat/completions", json=body, headers=auth).json()["choices"][0]
    assert choice["finish_reason"] in ("stop", "length") and choice["message"]["content"]


def test_streamed_tool_call_uses_openais_delta_shape(api, auth):
    # Catches: a tool call streamed as content, or fragments that do not rebuild the arguments.
    body = {"model": CHAT_MODEL, "messages": ASKS_WEATHER, "tools": TOOLS, "seed": 4}
    whole = api.post("/v1/chat/completions", json=body, headers=auth).json()
    response = api.post("/v1/chat/completions", json={**body, "stream": True}, headers=auth)
    lines = [ln[6:] for ln in response.text.split("\n") if ln.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(ln) for ln in lines[:-1]]
    deltas = [c["choices"][0]["delta"] for c in chunks]
    calls = [d["tool_calls"][0] for d in deltas if "tool_calls" in d]
    first = calls[0]
    assert first["index"] == 0 and first["type"] == "function" and first["id"].startswith("call_")
    assert first["function"]["name"] == "get_weather"
    assert all(set(c) == {"index", "function"} for c in calls[1:])
    arguments = "".join(c["function"].get("arguments", "") for c in calls)
    expected = whole["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    assert arguments == expected
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_openai_client_reads_tool_calls_plain_and_streamed(stand_in, token):
    client = OpenAI(base_url=stand_in.url + "/v1", api_key=token, max_retries=0)
    answer = client.chat.completions.create(
        model=CHAT_MODEL, messages=ASKS_WEATHER, tools=TOOLS, tool_choice="required", seed=1
    )
    call = answer.choices[0].message.tool_calls[0]
    jsonschema.validate(json.loads(call.function.arguments), schema_of(call.function.name))
    stream = client.chat.completions.create(
        model=CHAT_MODEL, messages=ASKS_WEATHER, tools=TOOLS, seed=1, stream=True
    )
    pieces = [
        c.choices[0].delta.tool_calls[0].function.arguments or ""
        for c in stream
        if c.choices and c.choices[0].delta.tool_calls
    ]
    jsonschema.validate(json.loads("".join(pieces)), schema_of("get_weather"))


@pytest.mark.parametrize(
    "tool_choice",
    [{"type": "function", "function": "get_weather"}, {"type": "function"}, 3, ["auto"]],
)
def test_malformed_tool_choice_gets_400_not_500(api, auth, tool_choice):
    body = {
        "model": CHAT_MODEL,
        "messages": ASKS_WEATHER,
        "tools": TOOLS,
        "tool_choice": tool_choice,
    }
    assert api.post("/v1/chat/completions", json=body, headers=auth).status_code == 400
