"""Tool arguments and structured values come from the conversation, not from word salad."""

from __future__ import annotations

import json

import pytest
import requests
from openai import OpenAI

from helpers.standin.serving.structured import Facts, generate_value

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city"],
        },
    },
}
CITY_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "summary": {"type": "string"},
        "temperature_c": {"type": "number"},
    },
    "required": ["city", "summary"],
    "additionalProperties": False,
}
PARIS = "What is the weather in Paris?"


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def a_model_with_tools(base_url: str) -> str:
    """Return a model of /v1/models with a provider that lists supports_tools (the done-when)."""
    models = requests.get(base_url + "/v1/models", timeout=10).json()["data"]
    for model in models:
        if any(p.get("supports_tools") for p in model["providers"]):
            return model["id"]
    raise AssertionError("no model in /v1/models has a provider with supports_tools")


def test_the_paris_tool_call_names_paris_with_the_openai_client(stand_in, token):
    client = OpenAI(base_url=stand_in.url + "/v1", api_key=token)
    model = a_model_with_tools(stand_in.url)
    raw = client.chat.completions.with_raw_response.create(
        model=model, messages=user(PARIS), tools=[WEATHER_TOOL], tool_choice="required"
    )
    assert raw.headers["x-stand-in"]
    call = raw.parse().choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    arguments = json.loads(call.function.arguments)
    assert arguments["city"] == "Paris"
    assert arguments["unit"] == "celsius"  # the message names no unit: the enum's first value
    assert 1 <= arguments["days"] <= 7


def test_json_schema_output_names_paris_with_the_openai_client(stand_in, token):
    client = OpenAI(base_url=stand_in.url + "/v1", api_key=token)
    response = client.chat.completions.create(
        model=a_model_with_tools(stand_in.url),
        messages=user(PARIS),
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "weather", "schema": CITY_SCHEMA},
        },
    )
    value = json.loads(response.choices[0].message.content)
    assert value["city"] == "Paris"
    # a string with nothing to take from the message is one whole sentence
    assert value["summary"][0].isupper() and value["summary"].endswith(".")
    assert len(value["summary"].split()) >= 4


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (PARIS, {"city": "Paris", "unit": "celsius"}),
        (
            "What's the weather like in New York in fahrenheit for 3 days?",
            {"city": "New York", "unit": "fahrenheit", "days": 3},
        ),
        ("Weather for 'Saint-Malo', please, in Celsius", {"city": "Saint-Malo", "unit": "celsius"}),
    ],
)
def test_arguments_are_taken_from_the_message(api, auth, message, expected):
    body = {
        "model": "openai/gpt-oss-120b",
        "messages": user(message),
        "tools": [WEATHER_TOOL],
        "tool_choice": "required",
        "seed": 1,
    }
    response = api.post("/v1/chat/completions", json=body, headers=auth)
    arguments = json.loads(
        response.json()["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    )
    assert arguments.items() >= expected.items()


def test_auto_calls_the_weather_tool_with_paris(api, auth):
    body = {"model": "openai/gpt-oss-120b", "messages": user(PARIS), "tools": [WEATHER_TOOL]}
    choice = api.post("/v1/chat/completions", json=body, headers=auth).json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert json.loads(choice["message"]["tool_calls"][0]["function"]["arguments"])["city"] == (
        "Paris"
    )


def test_facts_find_places_names_quotes_and_numbers():
    facts = Facts('Book a table for 4 guests at Chez Marie in Lyon, name "Ada", on Friday')
    assert facts.places[:2] == ["Chez Marie", "Lyon"]
    assert "Ada" in facts.quoted
    assert facts.number_for("guests") == 4
    assert facts.number_for("nights") is None
    assert facts.choice_for(["monday", "friday"]) == "friday"
    assert facts.choice_for(["a", "b"]) == "a"  # named none: the first


def test_values_with_nothing_to_take_stay_valid_and_say_so():
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "sunny": {"type": "boolean"},
        },
    }
    value = generate_value(schema, 3, lambda topic, n: "A whole sentence.", "Describe a harbour")
    assert value["city"] == "unknown"  # the stand-in invents no place
    assert value["tags"][0] == "harbour"  # a topic word of the message
    assert value["sunny"] is False


def test_small_default_numbers_stay_within_exclusive_bounds():
    # Catches rounding 1e-6 to 0.0, which breaks exclusiveMinimum 0 (a 400 for seed 25).
    schema = {"type": "number", "exclusiveMinimum": 0, "maximum": 1}
    for seed in range(200):
        assert 0 < generate_value(schema, seed, lambda topic, n: "") <= 1
