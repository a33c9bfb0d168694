"""OpenAI completions on the stand-in: hf-inference's per-model route and the emulated endpoint.

Contract tests run in process (``api``); the openai client needs a URL (``stand_in``).
"""

from __future__ import annotations

import json

import openai
import pytest
from openai import OpenAI

from helpers.contract import ENDPOINT_PREFIX, GPT2

HF_COMPLETIONS = f"/hf-inference/models/{GPT2}/v1/completions"
HF_CHAT = f"/hf-inference/models/{GPT2}/v1/chat/completions"
PROMPT = "Once upon a time, in a land far away,"
ROUTES = [HF_COMPLETIONS, ENDPOINT_PREFIX + "/v1/completions"]


def events(response) -> list:
    """Return the decoded ``data:`` payloads of an OpenAI stream, ``[DONE]`` kept as a string."""
    lines = [ln for ln in response.text.split("\n") if ln.startswith("data: ")]
    return [ln[6:] if ln[6:] == "[DONE]" else json.loads(ln[6:]) for ln in lines]


@pytest.mark.parametrize("path", ROUTES)
def test_completion_has_openais_shape(api, auth, path):
    # Catches: a classic [{"generated_text"}] answer or a chat shape on the completions route.
    body = {"model": GPT2, "prompt": PROMPT, "max_tokens": 6, "seed": 1}
    answer = api.post(path, json=body, headers=auth).json()
    assert answer["object"] == "text_completion"
    assert set(answer) >= {"id", "object", "created", "model", "choices", "usage"}
    (choice,) = answer["choices"]
    assert set(choice) == {"text", "index", "logprobs", "finish_reason"}
    assert choice["index"] == 0 and choice["logprobs"] is None
    assert choice["finish_reason"] in ("length", "stop")
    assert not choice["text"].startswith(PROMPT)  # the continuation only, unlike classic
    usage = answer["usage"]
    assert usage["completion_tokens"] <= 6
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_default_max_tokens_is_openais_16(api, auth):
    # Catches: the chat default (64) or TGI's default leaking onto /v1/completions.
    answer = api.post(
        HF_COMPLETIONS, json={"model": GPT2, "prompt": PROMPT, "temperature": 0}, headers=auth
    ).json()
    assert answer["usage"]["completion_tokens"] <= 16


def test_temperature_zero_is_greedy_and_seed_reproduces(api, auth):
    # Catches: sampling at temperature 0, or a seed that does not reproduce.
    def text(**extra):
        body = {"model": GPT2, "prompt": PROMPT, "max_tokens": 10, **extra}
        return api.post(HF_COMPLETIONS, json=body, headers=auth).json()["choices"][0]["text"]

    assert len({text(temperature=0, seed=s) for s in range(4)}) == 1
    assert text(seed=7, temperature=1.0) == text(seed=7, temperature=1.0)


def test_echo_n_and_a_list_of_prompts(api, auth):
    # Catches: echo ignored, n ignored, or only the first prompt answered.
    body = {"model": GPT2, "prompt": [PROMPT, "The robot"], "max_tokens": 3, "n": 2, "echo": True}
    choices = api.post(HF_COMPLETIONS, json=body, headers=auth).json()["choices"]
    assert [c["index"] for c in choices] == [0, 1, 2, 3]
    assert choices[0]["text"].startswith(PROMPT) and choices[2]["text"].startswith("The robot")


def test_logprobs_come_from_the_sampled_distribution(api, auth):
    # Catches: logprobs ignored, more alternatives than asked, or a chosen token whose logprob
    # disagrees with its own entry among the alternatives.
    body = {"model": GPT2, "prompt": PROMPT, "max_tokens": 5, "logprobs": 3, "seed": 2}
    choice = api.post(HF_COMPLETIONS, json=body, headers=auth).json()["choices"][0]
    logprobs = choice["logprobs"]
    assert "".join(logprobs["tokens"]) == choice["text"]
    assert len(logprobs["token_logprobs"]) == len(logprobs["tokens"])
    for token, logprob, top in zip(
        logprobs["tokens"], logprobs["token_logprobs"], logprobs["top_logprobs"], strict=True
    ):
        assert 1 <= len(top) <= 3
        assert logprob <= 0
        if token in top:
            assert top[token] == pytest.approx(logprob, abs=1e-4)
    assert logprobs["text_offset"][0] == 0


def test_stream_chunks_usage_null_then_usage_then_done(api, auth):
    # Catches: a missing [DONE], usage on every chunk, or no "usage": null with include_usage.
    body = {
        "model": GPT2,
        "prompt": PROMPT,
        "max_tokens": 4,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    response = api.post(HF_COMPLETIONS, json=body, headers=auth)
    assert response.headers["content-type"].startswith("text/event-stream")
    got = events(response)
    assert got[-1] == "[DONE]"
    usage_chunk, chunks = got[-2], got[:-2]
    assert usage_chunk["choices"] == [] and usage_chunk["usage"]["completion_tokens"] <= 4
    assert all(c["usage"] is None and c["object"] == "text_completion" for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] in ("length", "stop")
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])


def test_stream_without_include_usage_has_no_usage_key(api, auth):
    body = {"model": GPT2, "prompt": PROMPT, "max_tokens": 3, "stream": True}
    got = events(api.post(HF_COMPLETIONS, json=body, headers=auth))
    assert all("usage" not in c for c in got[:-1])


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": ["a"] * 5}, "prompt"),
        ({"suffix": "the end"}, "suffix"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"logprobs": 6}, "logprobs"),
        ({"best_of": 3}, "best_of"),
        ({"stream_options": {"include_usage": True}}, "stream_options"),
        ({"logit_bias": {"50256": -100}}, "logit_bias"),
    ],
)
def test_bad_completions_get_400_naming_the_parameter(api, auth, extra, param):
    body = {"model": GPT2, "prompt": PROMPT, **extra}
    response = api.post(HF_COMPLETIONS, json=body, headers=auth)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_endpoint_answers_bad_input_as_tgi_does(api, auth):
    # TGI: 422 {"error", "error_type"}; the suffix message is TGI's own.
    body = {"model": "tgi", "prompt": PROMPT, "suffix": "x"}
    response = api.post(ENDPOINT_PREFIX + "/v1/completions", json=body, headers=auth)
    assert response.status_code == 422
    assert "Suffix is not supported" in response.json()["error"]


def test_endpoint_chat_on_gpt2_is_tgis_template_error(api, auth):
    # Catches: prose answered for a model that has no chat template.
    body = {"model": "tgi", "messages": [{"role": "user", "content": "hi"}]}
    response = api.post(ENDPOINT_PREFIX + "/v1/chat/completions", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json() == {
        "error": "Template error: template not found",
        "error_type": "template_error",
    }


def test_hf_inference_chat_on_a_base_model_is_refused(api, auth):
    body = {"model": GPT2, "messages": [{"role": "user", "content": "hi"}]}
    response = api.post(HF_CHAT, json=body, headers=auth)
    assert response.status_code == 400
    assert "chat template" in response.json()["error"]["message"]


def test_router_has_no_completions_route(api, auth):
    # hub-docs index.md: the router's OpenAI-compatible endpoint is chat only.
    response = api.post("/v1/completions", json={"model": GPT2, "prompt": "x"}, headers=auth)
    assert response.status_code == 404


def test_unknown_model_and_unserved_gpt2_get_the_routers_404(api, make_api, auth):
    unknown = api.post(
        "/hf-inference/models/nobody/nothing/v1/completions", json={"prompt": "x"}, headers=auth
    )
    assert (unknown.status_code, unknown.text) == (404, "Not Found")
    today = make_api(router_serves_gpt2=False)
    response = today.post(HF_COMPLETIONS, json={"model": GPT2, "prompt": "x"}, headers=auth)
    assert response.status_code == 404
    # The dedicated endpoint still serves gpt2: it is the learner's own server.
    assert (
        today.post(
            ENDPOINT_PREFIX + "/v1/completions", json={"model": "tgi", "prompt": "x"}, headers=auth
        ).status_code
        == 200
    )


def test_completions_need_a_token(api):
    assert api.post(HF_COMPLETIONS, json={"prompt": "x"}).status_code == 401


@pytest.mark.parametrize(
    "base", [f"/hf-inference/models/{GPT2}/v1", ENDPOINT_PREFIX + "/v1"], ids=["hf", "endpoint"]
)
def test_openai_client_completes_plain_and_streamed(stand_in, token, base):
    client = OpenAI(base_url=stand_in.url + base, api_key=token, max_retries=0)
    answer = client.completions.create(model=GPT2, prompt=PROMPT, max_tokens=5, seed=3)
    assert answer.object == "text_completion" and answer.choices[0].text
    assert answer.usage.completion_tokens <= 5
    stream = client.completions.create(
        model=GPT2,
        prompt=PROMPT,
        max_tokens=5,
        seed=3,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert "".join(c.choices[0].text for c in chunks if c.choices) == answer.choices[0].text
    assert chunks[-1].usage.completion_tokens == answer.usage.completion_tokens


def test_openai_client_sees_the_endpoints_chat_refusal(stand_in, token):
    client = OpenAI(base_url=stand_in.url + ENDPOINT_PREFIX + "/v1", api_key=token, max_retries=0)
    with pytest.raises(openai.UnprocessableEntityError) as info:
        client.chat.completions.create(model="tgi", messages=[{"role": "user", "content": "hi"}])
    assert info.value.response.json()["error_type"] == "template_error"


def test_prompt_plus_max_tokens_over_gpt2s_context_is_refused(api, auth):
    # gpt2's context is 1024 tokens; vLLM/OpenAI answer 400, TGI 422 with its own message.
    body = {"model": GPT2, "prompt": PROMPT, "max_tokens": 1020}
    routed = api.post(HF_COMPLETIONS, json=body, headers=auth)
    assert routed.status_code == 400
    assert routed.json()["error"]["code"] == "context_length_exceeded"
    endpoint = api.post(ENDPOINT_PREFIX + "/v1/completions", json=body, headers=auth)
    assert endpoint.status_code == 422
    assert "must be <= 1024" in endpoint.json()["error"]


@pytest.fixture
def hf_inference_chat_model(monkeypatch):
    """An hf-inference chat model in the catalogue (its CSV lists none today)."""
    from helpers.contract import HF_INFERENCE_LLM
    from helpers.standin.catalog import MODELS, ModelInfo, ProviderOffer

    offer = ProviderOffer("hf-inference", context_length=8192, task="conversational")
    info = ModelInfo(HF_INFERENCE_LLM, "text-generation", chat_providers=(offer,), offers=(offer,))
    monkeypatch.setitem(MODELS, HF_INFERENCE_LLM, info)
    return HF_INFERENCE_LLM


def test_openai_client_chats_on_hf_inferences_per_model_route(
    stand_in, token, hf_inference_chat_model
):
    # huggingface.js sends hf-inference chat to .../models/{id}/v1/chat/completions.
    base = f"{stand_in.url}/hf-inference/models/{hf_inference_chat_model}/v1"
    client = OpenAI(base_url=base, api_key=token, max_retries=0)
    messages = [{"role": "user", "content": "Tell me about the harbour"}]
    answer = client.chat.completions.create(
        model=hf_inference_chat_model, messages=messages, max_tokens=5, seed=2
    )
    assert answer.object == "chat.completion" and answer.choices[0].message.content
    stream = client.chat.completions.create(
        model=hf_inference_chat_model, messages=messages, max_tokens=5, seed=2, stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == answer.choices[0].message.content
    # ... and completions for the same model
    assert client.completions.create(model=hf_inference_chat_model, prompt="The", max_tokens=2)


def test_unknown_fields_are_ignored_and_named_in_a_header(api, auth):
    # vLLM ignores unknown fields; the stand-in says which ones it ignored.
    body = {"model": GPT2, "prompt": PROMPT, "max_tokens": 2, "inputs": "x", "wizard": 1}
    response = api.post(HF_COMPLETIONS, json=body, headers=auth)
    assert response.status_code == 200
    assert response.headers["x-standin-ignored-fields"] == "inputs, wizard"
    clean = api.post(HF_COMPLETIONS, json={"model": GPT2, "prompt": PROMPT}, headers=auth)
    assert "x-standin-ignored-fields" not in clean.headers


def test_stop_sequence_is_left_out_of_the_text_except_on_tgi(api, auth):
    # OpenAI/vLLM drop the matched stop sequence; TGI keeps it.
    greedy = {"model": GPT2, "prompt": PROMPT, "max_tokens": 12, "temperature": 0}
    full = api.post(HF_COMPLETIONS, json=greedy, headers=auth).json()["choices"][0]["text"]
    stop = full.split()[2]
    body = {**greedy, "stop": [stop]}
    routed = api.post(HF_COMPLETIONS, json=body, headers=auth).json()["choices"][0]
    assert routed["finish_reason"] == "stop"
    assert full.startswith(routed["text"]) and not routed["text"].endswith(stop)
    endpoint = api.post(ENDPOINT_PREFIX + "/v1/completions", json=body, headers=auth).json()
    assert endpoint["choices"][0]["text"].endswith(stop)


def test_streamed_completion_logprobs_match_the_plain_answer(api, auth):
    # Catches: logprobs silently dropped from streamed chunks.
    body = {"model": GPT2, "prompt": PROMPT, "max_tokens": 4, "logprobs": 2, "seed": 9}
    plain = api.post(HF_COMPLETIONS, json=body, headers=auth).json()["choices"][0]["logprobs"]
    chunks = events(api.post(HF_COMPLETIONS, json={**body, "stream": True}, headers=auth))[:-1]
    streamed = [c["choices"][0]["logprobs"] for c in chunks if c["choices"][0]["text"]]
    assert [s["tokens"][0] for s in streamed] == plain["tokens"]
    assert [s["token_logprobs"][0] for s in streamed] == plain["token_logprobs"]
    assert [s["text_offset"][0] for s in streamed] == plain["text_offset"]


def test_endpoint_reports_tgis_finish_reasons(api, auth):
    # TGI: non-stream "stop_sequence" for a stop match; the stream's last chunk the raw word.
    greedy = {"model": "tgi", "prompt": PROMPT, "max_tokens": 12, "temperature": 0}
    path = ENDPOINT_PREFIX + "/v1/completions"
    full = api.post(path, json=greedy, headers=auth).json()["choices"][0]["text"]
    body = {**greedy, "stop": [full.split()[2]]}
    assert api.post(path, json=body, headers=auth).json()["choices"][0]["finish_reason"] == (
        "stop_sequence"
    )
    last = events(api.post(path, json={**body, "stream": True}, headers=auth))[-2]
    assert last["choices"][0]["finish_reason"] == "stop_sequence"


# --- stop strings match anywhere in the text on the OpenAI routes -----------------------------


def _inner_piece(text: str) -> str:
    """Return two letters from inside a word of ``text`` (not at a token's end)."""
    for word in text.split():
        if word.isalpha() and len(word) >= 4:
            return word[1:3]
    raise AssertionError(f"no word of 4+ letters in {text!r}")


def test_a_stop_string_inside_a_token_stops_there_and_is_left_out(api, auth):
    """Catches stop strings matched only at a token's end: "an" did not stop in " land".
    OpenAI and vLLM stop at the first occurrence and cut the text where it starts."""
    greedy = {"model": GPT2, "prompt": PROMPT, "max_tokens": 30, "temperature": 0}
    full = api.post(HF_COMPLETIONS, json=greedy, headers=auth).json()["choices"][0]["text"]
    stop = _inner_piece(full)
    choice = api.post(HF_COMPLETIONS, json={**greedy, "stop": [stop]}, headers=auth).json()
    choice = choice["choices"][0]
    assert choice["text"] == full[: full.index(stop)]
    assert choice["finish_reason"] == "stop"
    kept = {**greedy, "stop": [stop], "include_stop_str_in_output": True}
    with_stop = api.post(HF_COMPLETIONS, json=kept, headers=auth).json()["choices"][0]["text"]
    assert with_stop == full[: full.index(stop) + len(stop)]


def test_tgi_still_stops_only_when_the_text_ends_with_the_stop(api, auth):
    """TGI's StopSequenceCriteria matches ``stop$`` on the decoded text: a piece inside a
    word does not stop its endpoint."""
    path = ENDPOINT_PREFIX + "/v1/completions"
    greedy = {"model": "tgi", "prompt": PROMPT, "max_tokens": 30, "temperature": 0}
    full = api.post(path, json=greedy, headers=auth).json()["choices"][0]["text"]
    stop = _inner_piece(full)
    if any(word.endswith(stop) for word in full.split()):
        pytest.skip("the piece also ends a word")
    again = api.post(path, json={**greedy, "stop": [stop]}, headers=auth).json()["choices"][0]
    assert again["text"] == full


def test_chat_stop_inside_a_word_stops_there(api, auth):
    """Catches chat's stop ["the"] not stopping at "they"."""
    chat = f"/hf-inference/models/{'HuggingFaceTB/SmolLM3-3B'}/v1/chat/completions"
    body = {
        "model": "HuggingFaceTB/SmolLM3-3B",
        "messages": [{"role": "user", "content": "Tell me a story"}],
        "max_tokens": 40,
        "temperature": 0,
    }
    full = api.post(chat, json=body, headers=auth).json()["choices"][0]["message"]["content"]
    stop = _inner_piece(full)
    answer = api.post(chat, json={**body, "stop": stop}, headers=auth).json()["choices"][0]
    assert answer["message"]["content"] == full[: full.index(stop)].lstrip()
    assert answer["finish_reason"] == "stop"


# --- every documented completions parameter has an effect or a clear error --------------------

BASE = {"model": GPT2, "prompt": PROMPT, "max_tokens": 8, "seed": 3}


def _complete(api, auth, **extra):
    return api.post(HF_COMPLETIONS, json={**BASE, **extra}, headers=auth)


def _choice(api, auth, **extra):
    answer = _complete(api, auth, **extra)
    assert answer.status_code == 200, answer.text
    return answer.json()["choices"][0]


def _text(api, auth, **extra):
    return _choice(api, auth, **extra)["text"]


def _is_400(response, param):
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    return True


def _greedy_lps(api, auth, **extra):
    body = {"temperature": 0, "logprobs": 1, "max_tokens": 16, **extra}
    return _choice(api, auth, **body)["logprobs"]["token_logprobs"]


TWO_STRINGS = {
    "type": "object",
    "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
    "required": ["a", "b"],
}
COMPLETION_EFFECTS = {
    # the per-model route: the URL names the model, the answer says which one served it
    "model": lambda api, auth: _complete(api, auth, model="nobody/nothing").json()["model"] == GPT2,
    "prompt": lambda api, auth: _is_400(_complete(api, auth, prompt=""), "prompt"),
    "best_of": lambda api, auth: _is_400(_complete(api, auth, best_of=3), "best_of"),
    "echo": lambda api, auth: _text(api, auth, echo=True).startswith(PROMPT),
    "frequency_penalty": lambda api, auth: (
        _greedy_lps(api, auth, frequency_penalty=2.0) != _greedy_lps(api, auth)
    ),
    "presence_penalty": lambda api, auth: (
        _greedy_lps(api, auth, presence_penalty=1.5) != _greedy_lps(api, auth)
    ),
    "logit_bias": lambda api, auth: _is_400(
        _complete(api, auth, logit_bias={"1": 5}), "logit_bias"
    ),
    "logprobs": lambda api, auth: len(_choice(api, auth, logprobs=2)["logprobs"]["tokens"]) > 0,
    "max_tokens": lambda api, auth: (
        _complete(api, auth, max_tokens=2).json()["usage"]["completion_tokens"] <= 2
    ),
    "n": lambda api, auth: len(_complete(api, auth, n=3).json()["choices"]) == 3,
    "seed": lambda api, auth: (
        _text(api, auth, seed=11) == _text(api, auth, seed=11)
        and len({_text(api, auth, seed=s) for s in range(5)}) > 1
    ),
    "stop": lambda api, auth: (
        _choice(api, auth, temperature=0, max_tokens=30, stop=["e"])["text"].count("e") == 0
    ),
    "stream": lambda api, auth: events(_complete(api, auth, stream=True))[-1] == "[DONE]",
    "stream_options": lambda api, auth: (
        "usage"
        in events(_complete(api, auth, stream=True, stream_options={"include_usage": True}))[-2]
    ),
    "suffix": lambda api, auth: _is_400(_complete(api, auth, suffix="!"), "suffix"),
    "temperature": lambda api, auth: (
        len({_text(api, auth, temperature=0, seed=s) for s in range(4)})
        == 1
        < len({_text(api, auth, temperature=1.5, seed=s) for s in range(4)})
    ),
    "top_p": lambda api, auth: len({_text(api, auth, top_p=0.01, seed=s) for s in range(4)}) == 1,
    "user": lambda api, auth: (
        "x-standin-ignored-fields" not in _complete(api, auth, user="learner-1").headers
    ),
    # vLLM's extensions the stand-in implements
    "top_k": lambda api, auth: len({_text(api, auth, top_k=1, seed=s) for s in range(4)}) == 1,
    "repetition_penalty": lambda api, auth: (
        _greedy_lps(api, auth, repetition_penalty=3.0) != _greedy_lps(api, auth)
    ),
    "response_format": lambda api, auth: (
        isinstance(
            json.loads(
                _text(
                    api,
                    auth,
                    max_tokens=60,
                    response_format={
                        "type": "json_schema",
                        "json_schema": {"name": "p", "schema": TWO_STRINGS},
                    },
                )
            ),
            dict,
        )
        and _choice(api, auth, max_tokens=3, response_format={"type": "json_object"})[
            "finish_reason"
        ]
        == "length"
    ),
    "min_tokens": lambda api, auth: (
        _is_400(_complete(api, auth, max_tokens=3, min_tokens=5), "min_tokens")
        and _complete(api, auth, max_tokens=9, min_tokens=9).json()["usage"]["completion_tokens"]
        == 9
    ),
    "ignore_eos": lambda api, auth: (
        _complete(api, auth, max_tokens=40, ignore_eos=True).json()["usage"]["completion_tokens"]
        == 40
    ),
    "include_stop_str_in_output": lambda api, auth: _text(
        api, auth, temperature=0, max_tokens=30, stop=["e"], include_stop_str_in_output=True
    ).endswith("e"),
    **{
        name: (lambda api, auth, name=name: _is_400(_complete(api, auth, **{name: 7}), name))
        for name in ("min_p", "use_beam_search", "guided_json", "stop_token_ids", "prompt_logprobs")
    },
}


def documented_completion_parameters() -> set[str]:
    """The fields of openai-python's ``CompletionCreateParams``
    (``types/completion_create_params.py``)."""
    from openai.types.completion_create_params import CompletionCreateParamsBase

    return set(CompletionCreateParamsBase.__annotations__)


def test_the_completion_effects_table_covers_every_documented_parameter():
    # Catches: a parameter added to openai-python that the stand-in would silently ignore.
    assert documented_completion_parameters() <= set(COMPLETION_EFFECTS)


@pytest.mark.parametrize("name", sorted(COMPLETION_EFFECTS))
def test_each_completion_parameter_has_an_effect_or_a_clear_error(api, auth, name):
    assert COMPLETION_EFFECTS[name](api, auth)
