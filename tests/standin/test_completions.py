"""``/v1/completions``: hf-inference's (vLLM's rules) and the emulated TGI endpoint's (TGI's)."""

from __future__ import annotations

import json

import pytest
from openai import OpenAI

from helpers.contract import ENDPOINT_PREFIX, GPT2

HF = f"/hf-inference/models/{GPT2}/v1/completions"
TGI = ENDPOINT_PREFIX + "/v1/completions"
PROMPT = "The robot opened its eyes and"


def complete(api, auth, path=HF, **fields):
    return api.post(path, json={"model": GPT2, "prompt": PROMPT, **fields}, headers=auth)


def data(response) -> list:
    return [
        json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")
    ]


def test_the_openai_client_completes_on_both_surfaces(api, token):
    for base in (
        f"http://testserver/hf-inference/models/{GPT2}/v1",
        f"http://testserver{ENDPOINT_PREFIX}/v1",
    ):
        client = OpenAI(base_url=base, api_key=token, http_client=api)
        answer = client.completions.create(model=GPT2, prompt=PROMPT, max_tokens=5, temperature=0)
        assert answer.object == "text_completion" and answer.choices[0].text.strip()
        assert answer.usage.completion_tokens == 5


@pytest.mark.parametrize(
    "fields",
    [
        {"n": 1, "best_of": 1, "logprobs": None, "echo": False, "user": "ada"},
        {"stream": False, "stream_options": None, "frequency_penalty": 0, "presence_penalty": 0},
        {"top_k": 5, "repetition_penalty": 1.2, "min_tokens": 2, "seed": 1},
        {"logit_bias": {}, "suffix": None, "use_beam_search": False},
    ],
)
def test_client_defaults_are_accepted(api, auth, fields):
    assert complete(api, auth, **fields).status_code == 200


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": [""]}, "prompt"),
        ({"max_tokens": -1}, "max_tokens"),
        ({"echo": "yes"}, "echo"),
        ({"response_format": {"type": "yaml"}}, "response_format"),
    ],
)
def test_bad_completions_get_400_naming_the_parameter(api, auth, fields, param):
    response = complete(api, auth, **fields)
    assert response.status_code == 400 and response.json()["error"]["param"] == param


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"prompt": [PROMPT, "Once"]}, "prompt"),
        ({"n": 2}, "n"),
        ({"echo": True}, "echo"),
        ({"logprobs": 0}, "logprobs"),
        ({"suffix": "the end"}, "suffix"),
    ],
)
def test_values_the_course_does_not_teach_are_a_400_saying_not_emulated(api, auth, fields, param):
    response = complete(api, auth, **fields)
    error = response.json()["error"]
    assert response.status_code == 400 and error["param"] == param
    assert "not emulated by the stand-in (the live service accepts it)" in error["message"]


def test_a_list_of_one_prompt_is_that_prompt(api, auth):
    greedy = {"max_tokens": 4, "temperature": 0}
    one = complete(api, auth, prompt=[PROMPT], **greedy).json()["choices"]
    assert [c["text"] for c in one] == [complete(api, auth, **greedy).json()["choices"][0]["text"]]


def test_a_stop_string_is_cut_out_on_openai_surfaces_and_kept_by_tgi(api, auth):
    greedy = {"max_tokens": 20, "temperature": 0}
    full = complete(api, auth, **greedy).json()["choices"][0]["text"]
    stop = full.split()[2]
    cut = complete(api, auth, stop=[stop], **greedy).json()["choices"][0]
    assert cut["text"] == full[: full.index(stop)] and cut["finish_reason"] == "stop"
    tgi = complete(api, auth, TGI, stop=[" " + stop], **greedy).json()["choices"][0]
    assert tgi["text"].endswith(stop) and tgi["finish_reason"] == "stop_sequence"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"top_p": 1.0}, "`top_p` must be > 0.0 and < 1.0"),
        ({"temperature": 0, "top_p": 0}, "`top_p` must be > 0.0 and < 1.0"),
        ({"max_tokens": 1100}, "must be <= 1024"),
        ({"suffix": "x"}, "Suffix is not supported"),
    ],
)
def test_the_endpoint_keeps_tgis_rules_plain_and_streamed(api, auth, fields, message):
    plain = complete(api, auth, TGI, **fields)
    assert plain.status_code == 422 and plain.json()["error_type"] == "validation"
    assert message in plain.json()["error"]
    streamed = complete(api, auth, TGI, stream=True, **fields)
    assert streamed.status_code == 200
    [event] = data(streamed)
    assert event["error"]["http_status_code"] == 422 and message in event["error"]["message"]


def test_streams_send_tokens_finish_usage_and_done(api, auth):
    response = complete(
        api, auth, stream=True, stream_options={"include_usage": True}, max_tokens=4
    )
    chunks = data(response)
    assert response.text.rstrip().endswith("data: [DONE]")
    assert [c["choices"][0]["finish_reason"] for c in chunks[:-1]] == [None] * 4 + ["length"]
    assert chunks[-1]["usage"]["completion_tokens"] == 4


@pytest.mark.parametrize(("path", "key"), [(HF, "type"), (TGI, "http_status_code")])
def test_a_stream_can_fail_midway_in_each_surfaces_shape(make_api, auth, path, key):
    api = make_api(stream_error_after_tokens=1)
    chunks = data(complete(api, auth, path, stream=True, max_tokens=5))
    assert len(chunks) == 2 and key in chunks[-1]["error"]


def test_response_format_gives_json_on_vllms_completions(api, auth):
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    fmt = {"type": "json_schema", "json_schema": {"name": "c", "schema": schema}}
    text = complete(api, auth, prompt="Meet me in Lyon", response_format=fmt).json()["choices"][0][
        "text"
    ]
    assert json.loads(text) == {"city": "Lyon"}
