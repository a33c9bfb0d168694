"""The router's Responses API (beta) on the stand-in, read by openai's own client."""

from __future__ import annotations

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


def test_what_is_not_emulated_gets_a_clear_400(client):
    with pytest.raises(BadRequestError, match="previous_response_id"):
        client.responses.create(model=MODEL, input="Hi", previous_response_id="resp_1")
    weather = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
    for tool in (weather, {"type": "mcp", "server_label": "x"}):
        with pytest.raises(BadRequestError, match="not emulated"):
            client.responses.create(model=MODEL, input="Hi", tools=[tool])
    item = {"type": "function_call_output", "call_id": "c", "output": "18"}
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
