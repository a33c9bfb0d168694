"""The router's chat (and hf-inference's, and the provider policies) as clients see them."""

from __future__ import annotations

import json

import pytest
from huggingface_hub import InferenceClient
from openai import OpenAI

from helpers.contract import CHAT_MODEL, ENDPOINT_PREFIX, GPT2, HF_INFERENCE_LLM

CHAT = "/v1/chat/completions"
MESSAGES = [{"role": "user", "content": "Tell me about streaming tokens"}]


def chat(api, auth, path=CHAT, **fields):
    return api.post(path, json={"model": CHAT_MODEL, "messages": MESSAGES, **fields}, headers=auth)


def events(response) -> list[dict]:
    lines = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    return [json.loads(line) for line in lines[:-1]]


@pytest.mark.parametrize("max_tokens", [None, 120])
def test_a_chat_answer_ends_where_its_text_ends(api, token, max_tokens):
    # Catches notebook 01's answer rambling on to fill max_tokens=120 with finish_reason "length".
    client = OpenAI(base_url="http://testserver/v1", api_key=token, http_client=api)
    answer = client.chat.completions.create(
        model=CHAT_MODEL, messages=MESSAGES, max_tokens=max_tokens, seed=1
    )
    choice = answer.choices[0]
    assert choice.message.role == "assistant" and choice.finish_reason == "stop"
    assert choice.message.content[0].isupper() and choice.message.content.endswith((".", "!", "?"))
    assert answer.usage.completion_tokens < 100
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


def test_inference_client_chat_streams_through_the_router(stand_in, token):
    client = InferenceClient(base_url=stand_in.url, api_key=token)
    pieces = [
        c.choices[0].delta.content or ""
        for c in client.chat_completion(MESSAGES, model=CHAT_MODEL, max_tokens=12, stream=True)
    ]
    assert len(pieces) > 3 and "".join(pieces).strip()


@pytest.mark.parametrize(
    "fields",
    [
        # What the official clients and the frameworks send by default is a 200.
        {"tools": [], "parallel_tool_calls": True},
        {"logprobs": False, "top_logprobs": None, "n": 1, "user": "ada"},
        {"stream": False, "stream_options": None, "store": False, "metadata": {"run": "1"}},
        {"service_tier": "auto", "reasoning_effort": "low", "logit_bias": {}},
        {"temperature": 0.7, "top_p": 1.0, "frequency_penalty": 0, "presence_penalty": 0},
        {"max_completion_tokens": 20, "seed": 3, "stop": "\n"},
    ],
)
def test_client_defaults_are_accepted(api, auth, fields):
    response = chat(api, auth, **fields)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "wizard", "content": "x"}]}, "messages.0.role"),
        ({"messages": [{"role": "system", "content": "only system"}]}, "messages"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"temperature": 3}, "temperature"),
        ({"temperature": "hot"}, "temperature"),
        ({"top_p": 0}, "top_p"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"seed": -2}, "seed"),
        ({"stream": "yes"}, "stream"),
        ({"n": 9}, "n"),
        ({"max_tokens": 9000}, "max_tokens"),
        ({"model": "nobody/nothing"}, "model"),
        ({"model": None}, "model"),
        ({"model": f"{CHAT_MODEL}:nobody"}, "model"),
    ],
)
def test_bad_requests_get_400_naming_the_parameter(api, auth, fields, param):
    response = chat(api, auth, **fields)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param and error["type"] == "invalid_request_error"


def test_max_tokens_cuts_the_answer_and_says_length(api, auth):
    answer = chat(api, auth, max_tokens=3).json()
    assert answer["choices"][0]["finish_reason"] == "length"
    assert answer["usage"]["completion_tokens"] == 3


def test_a_seed_reproduces_the_answer(api, auth):
    first = chat(api, auth, seed=7, max_tokens=12).json()["choices"]
    assert chat(api, auth, seed=7, max_tokens=12).json()["choices"] == first


@pytest.mark.parametrize(
    ("fields", "param"), [({"n": 2}, "n"), ({"logprobs": True, "top_logprobs": 2}, "logprobs")]
)
def test_values_the_course_does_not_teach_are_a_400_saying_not_emulated(api, auth, fields, param):
    response = chat(api, auth, **fields)
    error = response.json()["error"]
    assert response.status_code == 400 and error["param"] == param
    assert "not emulated by the stand-in (the live service accepts it)" in error["message"]


def test_a_stream_sends_role_tokens_finish_usage_and_done(api, auth):
    chunks = events(
        chat(api, auth, stream=True, stream_options={"include_usage": True}, max_tokens=6)
    )
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 6
    assert all(c["usage"] is None for c in chunks[:-1])


@pytest.mark.parametrize(
    ("profile", "message"), [("teaching", "stand-in fault"), ("today", "server had an error")]
)
def test_a_stream_can_fail_midway_with_openais_error_event(make_api, auth, profile, message):
    api = make_api(stream_error_after_tokens=2, profile=profile, credits_usd=None)
    chunks = events_until_error(chat(api, auth, stream=True, max_tokens=8))
    assert len(chunks) == 4 and message in chunks[-1]["error"]["message"]


def events_until_error(response) -> list[dict]:
    return [
        json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")
    ]


@pytest.mark.parametrize(
    ("suffix", "provider"), [("", None), (":fastest", None), (":cheapest", None), (":groq", "groq")]
)
def test_a_policy_suffix_picks_the_provider(api, auth, suffix, provider):
    response = chat(api, auth, model=CHAT_MODEL + suffix, max_tokens=2)
    assert response.status_code == 200 and response.json()["model"] == CHAT_MODEL
    assert response.headers["x-inference-provider"] == (
        provider or response.headers["x-inference-provider"]
    )


def test_the_context_length_is_enforced_in_openais_words(api, auth):
    long = [{"role": "user", "content": "word " * 9000}]
    error = chat(api, auth, messages=long).json()["error"]
    assert (
        error["code"] == "context_length_exceeded" and "maximum context length" in error["message"]
    )


def test_hf_inference_chat_needs_a_chat_template(api, auth):
    llm = chat(
        api, auth, f"/hf-inference/models/{HF_INFERENCE_LLM}/v1/chat/completions", max_tokens=3
    )
    assert llm.status_code == 200 and llm.headers["x-inference-provider"] == "hf-inference"
    base = chat(api, auth, f"/hf-inference/models/{GPT2}/v1/chat/completions")
    assert base.status_code == 400 and base.json()["error"]["code"] == "chat_template_missing"
    endpoint = chat(api, auth, ENDPOINT_PREFIX + "/v1/chat/completions")
    assert endpoint.status_code == 422 and endpoint.json()["error_type"] == "template_error"


def test_today_serves_no_hf_inference_llm(make_api, auth):
    api = make_api(profile="today", credits_usd=None)
    path = f"/hf-inference/models/{HF_INFERENCE_LLM}/v1/chat/completions"
    assert chat(api, auth, path).status_code == 404
    assert chat(api, auth, model=HF_INFERENCE_LLM).status_code == 400


def test_credits_are_charged_for_generated_tokens(make_api, auth):
    api = make_api(credits_usd=0.000001)
    assert chat(api, auth, max_tokens=40).status_code == 200
    assert chat(api, auth, max_tokens=40).status_code == 402
