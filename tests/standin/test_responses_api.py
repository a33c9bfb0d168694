"""The router's Responses API (beta) on the stand-in, read by openai's own client."""

from __future__ import annotations

import json

import pytest
from openai import BadRequestError, OpenAI
from pydantic import BaseModel

MODEL = "openai/gpt-oss-120b"


@pytest.fixture
def client(stand_in, token) -> OpenAI:
    return OpenAI(base_url=stand_in.url + "/v1", api_key=token, max_retries=0)


def test_responses_create_returns_text_with_instructions(client):
    raw = client.responses.with_raw_response.create(
        model=MODEL + ":groq",
        instructions="You are a helpful assistant.",
        input="Tell me a three-sentence bedtime story about a unicorn.",
    )
    assert raw.headers["x-stand-in"]
    assert raw.headers["x-inference-provider"] == "groq"
    response = raw.parse()
    assert response.status == "completed"
    assert response.model == MODEL
    assert response.instructions == "You are a helpful assistant."
    text = response.output_text
    assert len(text.split()) >= 5 and text.endswith((".", "!", "?"))
    assert response.usage.output_tokens > 0
    assert response.usage.input_tokens > 5  # the instructions count in the prompt


def test_input_as_a_message_list(client):
    # Every item counts in the prompt (a list parsed as one string, or half of it, would not).
    question = "What is the weather?"
    alone = client.responses.create(model=MODEL, input=question)
    response = client.responses.create(
        model=MODEL,
        input=[
            {"role": "developer", "content": "Talk like a pirate."},
            {"role": "user", "content": [{"type": "input_text", "text": question}]},
            {"type": "message", "role": "assistant", "content": "Sunny, matey."},
        ],
    )
    assert response.output_text.strip()
    assert response.usage.input_tokens > alone.usage.input_tokens + 4


def test_max_output_tokens_cuts_the_answer_as_incomplete(client):
    response = client.responses.create(model=MODEL, input="Tell me a story.", max_output_tokens=5)
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage.output_tokens == 5


def test_streamed_events_rebuild_the_text(client):
    stream = client.responses.create(model=MODEL, input="Tell me a story.", stream=True)
    kinds, deltas, final = [], [], None
    for event in stream:
        kinds.append(event.type)
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        if event.type in ("response.completed", "response.incomplete"):
            final = event.response
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert len(deltas) >= 5
    assert "".join(deltas) == final.output_text


def test_structured_output_with_responses_parse(client):
    class CalendarEvent(BaseModel):
        name: str
        date: str
        participants: list[str]

    response = client.responses.parse(
        model=MODEL,
        input=[
            {"role": "system", "content": "Extract the event information."},
            {"role": "user", "content": "Alice and Bob are going to a science fair on Friday."},
        ],
        text_format=CalendarEvent,
    )
    event = response.output_parsed
    assert event.date == "Friday"
    assert event.participants[:2] == ["Alice", "Bob"]


WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


def test_function_tool_call_and_its_output_round_trip(client):
    # What pydantic-ai and the Agents SDK send: function tools, then the call and its output.
    question = [{"role": "user", "content": "What is the weather in Paris?"}]
    response = client.responses.create(model=MODEL, input=question, tools=[WEATHER])
    (call,) = response.output
    assert call.type == "function_call" and call.name == "get_weather"
    assert json.loads(call.arguments) == {"city": "Paris"}
    assert response.tools[0].name == "get_weather" and response.output_text == ""
    result = {"type": "function_call_output", "call_id": call.call_id, "output": "18 C, sunny"}
    follow = [*question, call.model_dump(exclude_none=True), result]
    answer = client.responses.create(model=MODEL, input=follow, tools=[WEATHER])
    assert answer.output[0].type == "message" and answer.output_text.strip()
    assert answer.usage.input_tokens > response.usage.input_tokens
    named = {"type": "function", "name": "get_weather"}
    forced = client.responses.create(model=MODEL, input="Hi", tools=[WEATHER], tool_choice=named)
    assert forced.output[0].type == "function_call" and forced.tool_choice.name == "get_weather"
    none = client.responses.create(model=MODEL, input=question, tools=[WEATHER], tool_choice="none")
    assert none.output[0].type == "message"


def test_streamed_function_call(client):
    ask = {"model": MODEL, "input": "What is the weather in Paris?", "tools": [WEATHER]}
    kinds = [event.type for event in client.responses.create(**ask, stream=True)]
    assert "response.output_item.added" in kinds and "response.output_item.done" in kinds
    assert "response.function_call_arguments.delta" in kinds
    with client.responses.stream(**ask) as stream:
        done = [e.item for e in stream if e.type == "response.output_item.done"]
        final = stream.get_final_response()
    assert done[0].type == "function_call" and json.loads(done[0].arguments) == {"city": "Paris"}
    assert final.output[0].arguments == done[0].arguments


def test_what_is_not_emulated_gets_a_clear_400(client):
    with pytest.raises(BadRequestError, match="previous_response_id"):
        client.responses.create(model=MODEL, input="Hi", previous_response_id="resp_1")
    for tool in ({"type": "mcp", "server_label": "x"}, {"type": "web_search"}):
        with pytest.raises(BadRequestError, match="not emulated"):
            client.responses.create(model=MODEL, input="Hi", tools=[tool])
    item = {"type": "reasoning", "id": "rs_1", "summary": []}
    with pytest.raises(BadRequestError, match="not emulated"):
        client.responses.create(model=MODEL, input=[item])


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"text": {"format": "x"}}, "text.format"),
        ({"tool_choice": {"type": "function"}}, "tool_choice"),
        ({"tool_choice": "weird"}, "tool_choice"),
        ({"input": [3]}, "input"),
        ({"input": [{"role": "wizard", "content": "x"}]}, "messages.0.role"),
        ({"metadata": {"a": 1}}, "metadata.a"),
        ({"max_output_tokens": 0}, "max_output_tokens"),
    ],
)
def test_bad_values_get_400_not_500(api, auth, fields, param):
    body = {"model": MODEL, "input": "Hello", **fields}
    response = api.post("/v1/responses", json=body, headers=auth)
    assert response.status_code == 400 and response.json()["error"]["param"].startswith(param)
