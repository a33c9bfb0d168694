"""Chat completions on the stand-in, with helpers, huggingface_hub and openai as clients."""

from __future__ import annotations

import json

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


# --- every documented chat parameter has an effect or a clear error ---------------------------

BASE = {"model": CHAT_MODEL, "messages": MESSAGES, "max_tokens": 12, "seed": 3}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


STORY = [{"role": "user", "content": "Tell me a story"}]


def _post(api, auth, **extra):
    return api.post("/v1/chat/completions", json={**BASE, **extra}, headers=auth)


def _content(api, auth, **extra):
    response = _post(api, auth, **extra)
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]["content"]


def _greedy_logprobs(api, auth, **extra):
    body = {"temperature": 0, "logprobs": True, "top_logprobs": 5, "max_tokens": 20, **extra}
    choice = _post(api, auth, **body).json()["choices"][0]
    return [(e["token"], e["logprob"]) for e in choice["logprobs"]["content"]]


def _is_400(response, param):
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    return True


def _stream_lines(response):
    return [ln for ln in response.text.split("\n") if ln.startswith("data: ")]


EFFECTS = {
    "messages": lambda api, auth: _is_400(
        api.post("/v1/chat/completions", json={"model": CHAT_MODEL}, headers=auth), "messages"
    ),
    "model": lambda api, auth: (
        _post(api, auth, model="nobody/nothing").json()["error"]["code"] == "model_not_supported"
    ),
    "frequency_penalty": lambda api, auth: (
        _greedy_logprobs(api, auth, frequency_penalty=2.0) != _greedy_logprobs(api, auth)
    ),
    "presence_penalty": lambda api, auth: (
        _greedy_logprobs(api, auth, presence_penalty=1.5) != _greedy_logprobs(api, auth)
    ),
    "logit_bias": lambda api, auth: _is_400(_post(api, auth, logit_bias=[1.0]), "logit_bias"),
    "logprobs": lambda api, auth: (
        _post(api, auth, logprobs=True).json()["choices"][0]["logprobs"]["content"][0]["logprob"]
        <= 0
    ),
    "max_tokens": lambda api, auth: (
        _post(api, auth, max_tokens=2).json()["usage"]["completion_tokens"] <= 2
    ),
    "n": lambda api, auth: len(_post(api, auth, n=3).json()["choices"]) == 3,
    "response_format": lambda api, auth: isinstance(
        json.loads(_content(api, auth, max_tokens=64, response_format={"type": "json_object"})),
        dict,
    ),
    "seed": lambda api, auth: (
        _content(api, auth, seed=11) == _content(api, auth, seed=11)
        and len({_content(api, auth, seed=s) for s in range(5)}) > 1
    ),
    "stop": lambda api, auth: (
        _post(api, auth, temperature=0, stop=["."])
        .json()["choices"][0]["message"]["content"]
        .count(".")
        <= 1
    ),
    "stream": lambda api, auth: _stream_lines(_post(api, auth, stream=True))[-1] == "data: [DONE]",
    "stream_options": lambda api, auth: (
        '"usage": {'
        in _stream_lines(_post(api, auth, stream=True, stream_options={"include_usage": True}))[-2]
    ),
    "temperature": lambda api, auth: (
        len({_content(api, auth, temperature=0, seed=s) for s in range(4)})
        == 1
        < len({_content(api, auth, temperature=1.5, seed=s) for s in range(4)})
    ),
    "tool_choice": lambda api, auth: (
        _post(api, auth, tools=[WEATHER_TOOL], tool_choice="required").json()["choices"][0][
            "finish_reason"
        ]
        == "tool_calls"
    ),
    "tool_prompt": lambda api, auth: (
        _post(api, auth, tools=[WEATHER_TOOL], messages=STORY, tool_prompt="word " * 50).json()[
            "usage"
        ]["prompt_tokens"]
        > _post(api, auth, tools=[WEATHER_TOOL], messages=STORY).json()["usage"]["prompt_tokens"]
    ),
    "tools": lambda api, auth: (
        "tool_calls"
        in _post(
            api,
            auth,
            tools=[WEATHER_TOOL],
            messages=[{"role": "user", "content": "How is the weather?"}],
        ).json()["choices"][0]["message"]
    ),
    "top_logprobs": lambda api, auth: all(
        len(e["top_logprobs"]) == 3
        for e in _post(api, auth, logprobs=True, top_logprobs=3).json()["choices"][0]["logprobs"][
            "content"
        ]
    ),
    "top_p": lambda api, auth: (
        len({_content(api, auth, top_p=0.01, seed=s) for s in range(4)}) == 1
    ),
}


def documented_chat_parameters() -> set[str]:
    """The parameters of huggingface_hub's ChatCompletionInput (generated from the HF spec)."""
    import dataclasses

    from huggingface_hub.inference._generated.types.chat_completion import ChatCompletionInput

    return {f.name for f in dataclasses.fields(ChatCompletionInput)}


HUB_DOCS_PAYLOAD = {
    "frequency_penalty", "logprobs", "max_tokens", "messages", "presence_penalty",
    "response_format", "seed", "stop", "stream", "stream_options", "temperature", "tool_choice",
    "tool_prompt", "tools", "top_logprobs", "top_p",
}  # fmt: skip
"""The Payload table of hub-docs ``docs/inference-providers/tasks/chat-completion.md``
(copied at hub-docs ``00c5952e``)."""


def test_the_effects_table_covers_every_documented_parameter():
    # Catches: a parameter added to the spec that the stand-in would silently ignore.
    assert documented_chat_parameters() | HUB_DOCS_PAYLOAD <= set(EFFECTS)


@pytest.mark.parametrize("name", sorted(EFFECTS))
def test_each_documented_parameter_has_an_effect_or_a_clear_error(api, auth, name):
    assert EFFECTS[name](api, auth)


def test_developer_role_is_accepted(api, auth):
    # Catches: the 400 the stand-in used to answer for OpenAI's newer system role.
    messages = [{"role": "developer", "content": "Answer briefly."}, *MESSAGES]
    assert _post(api, auth, messages=messages).status_code == 200


@pytest.mark.parametrize("value", [{"role": "user", "content": [{"type": "image_url"}]}])
def test_image_parts_get_a_clear_400(api, auth, value):
    assert _is_400(_post(api, auth, messages=[value]), "messages")


# --- hostile values never produce a 5xx -------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
NAMES = sorted(EFFECTS) + ["max_completion_tokens", "developer"]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(NAMES), JSON_VALUES, max_size=4))
def test_hostile_chat_parameters_get_an_answer_not_a_crash(api, auth, extra):
    body = {**BASE, "max_tokens": 4, **extra}
    response = api.post("/v1/chat/completions", json=body, headers=auth)
    assert response.status_code in (200, 400), response.text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(
            ["prompt", "max_tokens", "n", "echo", "logprobs", "best_of", "suffix", "stop", "seed"]
            + ["temperature", "top_p", "top_k", "stream", "stream_options", "repetition_penalty"]
        ),
        JSON_VALUES,
        max_size=4,
    )
)
def test_hostile_completion_parameters_get_an_answer_not_a_crash(api, auth, extra):
    body = {"model": "gpt2", "prompt": "The sea", "max_tokens": 4, **extra}
    response = api.post(
        "/hf-inference/models/openai-community/gpt2/v1/completions", json=body, headers=auth
    )
    assert response.status_code in (200, 400), response.text


def test_chat_chunks_carry_usage_null_until_the_usage_chunk(api, auth):
    # Catches: chunks without the usage field (TGI and OpenAI send "usage": null).
    for options in (None, {"include_usage": True}):
        extra = {"stream_options": options} if options else {}
        lines = _stream_lines(_post(api, auth, stream=True, **extra))
        chunks = [json.loads(ln[6:]) for ln in lines[:-1]]
        with_choices = [c for c in chunks if c["choices"]]
        assert all(c["usage"] is None for c in with_choices)
        assert (chunks[-1]["choices"] == []) == bool(options)
