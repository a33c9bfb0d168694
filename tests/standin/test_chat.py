"""Chat completions on the stand-in, with helpers, huggingface_hub and openai as clients."""

from __future__ import annotations

import pytest
import requests
from huggingface_hub import InferenceClient
from openai import BadRequestError as OpenAIBadRequest
from openai import OpenAI

from helpers import CHAT_MODEL, BadRequestError, InferenceSession
from helpers.standin import start

MESSAGES = [{"role": "user", "content": "Tell me about the weather today"}]


def test_helpers_chat_plain_and_streamed(stand_in, token):
    session = InferenceSession(token)
    url = stand_in.url + "/v1/chat/completions"
    answer = session.chat(url, CHAT_MODEL, MESSAGES, max_tokens=10)
    assert answer["object"] == "chat.completion"
    assert answer["choices"][0]["message"]["role"] == "assistant"
    assert answer["usage"]["completion_tokens"] <= 10
    assert "stand-in" in answer["answered_by"]
    chunks = list(session.stream_chat(url, CHAT_MODEL, MESSAGES, max_tokens=5))
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")


def test_same_seed_same_answer(stand_in, token):
    session = InferenceSession(token)
    url = stand_in.url + "/v1/chat/completions"
    a, b = (
        session.chat(url, CHAT_MODEL, MESSAGES, max_tokens=12, temperature=0.9, seed=5)["choices"][
            0
        ]
        for _ in range(2)
    )
    assert a["message"]["content"] == b["message"]["content"]


def test_inference_client_chat_plain_and_streamed(stand_in, token):
    client = InferenceClient(base_url=stand_in.url, api_key=token)
    answer = client.chat_completion(MESSAGES, model=CHAT_MODEL, max_tokens=10)
    assert answer.choices[0].message.content
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens
    pieces = [
        c.choices[0].delta.content
        for c in client.chat_completion(MESSAGES, model=CHAT_MODEL, max_tokens=6, stream=True)
        if c.choices and c.choices[0].delta.content
    ]
    assert 1 <= len(pieces) <= 6


def test_openai_client_plain_and_streamed_with_usage(stand_in, token):
    client = OpenAI(base_url=stand_in.url + "/v1", api_key=token)
    answer = client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES, max_tokens=8)
    assert answer.choices[0].finish_reason in ("stop", "length")
    stream = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=MESSAGES,
        max_tokens=4,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[-1].usage.completion_tokens <= 4
    assert chunks[-1].choices == []


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("deepseek-ai/DeepSeek-V4-Pro", "novita"),
        ("deepseek-ai/DeepSeek-V4-Pro:fastest", "novita"),
        ("deepseek-ai/DeepSeek-V4-Pro:cheapest", "novita"),  # 1.69 + 3.38 is the lowest
        ("deepseek-ai/DeepSeek-V4-Pro:together", "together"),
        ("openai/gpt-oss-120b:groq", "groq"),
    ],
)
def test_provider_suffixes_choose_the_provider(stand_in, auth, model, provider):
    response = requests.post(
        stand_in.url + "/v1/chat/completions",
        json={"model": model, "messages": MESSAGES, "max_tokens": 3},
        headers=auth,
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["x-inference-provider"] == provider


@pytest.mark.parametrize(
    "model", ["openai-community/gpt2", "nobody/nothing", "openai/gpt-oss-120b:no-such-provider"]
)
def test_unserved_chat_models_get_400_model_not_supported(stand_in, token, model):
    with pytest.raises(BadRequestError, match="not supported by any provider"):
        InferenceSession(token).chat(stand_in.url + "/v1/chat/completions", model, MESSAGES)


def test_openai_client_sees_the_400_as_its_bad_request(stand_in, token):
    client = OpenAI(base_url=stand_in.url + "/v1", api_key=token)
    with pytest.raises(OpenAIBadRequest) as info:
        client.chat.completions.create(model="openai-community/gpt2", messages=MESSAGES)
    assert info.value.body["code"] == "model_not_supported"


@pytest.mark.parametrize(
    "body",
    [
        {"model": CHAT_MODEL},
        {"model": CHAT_MODEL, "messages": []},
        {"model": CHAT_MODEL, "messages": [{"role": "wizard", "content": "x"}]},
        {"model": CHAT_MODEL, "messages": [{"role": "system", "content": "only system"}]},
        {"model": CHAT_MODEL, "messages": MESSAGES, "max_tokens": 0},
        {"model": CHAT_MODEL, "messages": MESSAGES, "temperature": 3},
        {"model": CHAT_MODEL, "messages": MESSAGES, "top_p": 0},
        {"model": CHAT_MODEL, "messages": MESSAGES, "stop": ["a", "b", "c", "d", "e"]},
        {"model": CHAT_MODEL, "messages": MESSAGES, "seed": -2},
        {"model": CHAT_MODEL, "messages": MESSAGES, "stream": "yes"},
        {"messages": MESSAGES},
    ],
)
def test_bad_chat_requests_get_400_in_openai_shape(stand_in, auth, body):
    response = requests.post(
        stand_in.url + "/v1/chat/completions", json=body, headers=auth, timeout=10
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_temperature_zero_is_greedy_on_the_chat_route(stand_in, token):
    url = stand_in.url + "/v1/chat/completions"
    answers = {
        InferenceSession(token).chat(url, CHAT_MODEL, MESSAGES, temperature=0, seed=s)["choices"][
            0
        ]["message"]["content"]
        for s in range(4)
    }
    assert len(answers) == 1


def test_chat_needs_a_token(stand_in):
    response = requests.post(
        stand_in.url + "/v1/chat/completions",
        json={"model": CHAT_MODEL, "messages": MESSAGES},
        timeout=10,
    )
    assert response.status_code == 401


def test_bill_to_header_is_acknowledged(stand_in, auth):
    response = requests.post(
        stand_in.url + "/v1/chat/completions",
        json={"model": CHAT_MODEL, "messages": MESSAGES, "max_tokens": 2},
        headers={**auth, "X-HF-Bill-To": "my-org"},
        timeout=10,
    )
    assert response.headers["x-standin-billed-to"] == "my-org"


def test_models_list_needs_no_token_and_shows_prices_where_published(stand_in):
    data = requests.get(stand_in.url + "/v1/models", timeout=10).json()["data"]
    ids = [m["id"] for m in data]
    assert CHAT_MODEL in ids and "openai-community/gpt2" not in ids
    deepseek = next(m for m in data if m["id"] == "deepseek-ai/DeepSeek-V4-Pro")
    novita = next(p for p in deepseek["providers"] if p["provider"] == "novita")
    assert novita["pricing"] == {"input": 1.69, "output": 3.38}
    assert all(p["status"] == "live" for p in deepseek["providers"])


def test_one_model_and_unknown_model(stand_in):
    assert (
        requests.get(stand_in.url + f"/v1/models/{CHAT_MODEL}", timeout=10).json()["id"]
        == CHAT_MODEL
    )
    assert requests.get(stand_in.url + "/v1/models/nobody/nothing", timeout=10).status_code == 404


def test_chat_streams_honour_the_mid_stream_error_knob(token):
    from helpers.client.errors import StreamError

    with start(stream_error_after_tokens=1) as api, pytest.raises(StreamError):
        list(
            InferenceSession(token).stream_chat(
                api.url + "/v1/chat/completions", CHAT_MODEL, MESSAGES
            )
        )


def test_a_question_gets_a_non_empty_answer(stand_in, token):
    question = [{"role": "user", "content": "What is the weather like in the mountains?"}]
    answer = InferenceSession(token).chat(
        stand_in.url + "/v1/chat/completions", CHAT_MODEL, question
    )
    assert len(answer["choices"][0]["message"]["content"].split()) >= 5
