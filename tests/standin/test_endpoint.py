"""The emulated dedicated endpoint at ``/endpoints/gpt2`` answers as a TGI server does."""

from __future__ import annotations

import json

import pytest

from helpers.contract import ENDPOINT_PREFIX, GPT2, MAX_INPUT_TOKENS, MAX_TOTAL_TOKENS

PROMPT = "Once upon a time, in a land far away,"
PARAMS = {"max_new_tokens": 5, "do_sample": True, "seed": 4}


def events(response) -> list[dict]:
    lines = [line for line in response.text.splitlines() if line]
    assert all(line.startswith("data:{") for line in lines), lines  # TGI: no space, no [DONE]
    return [json.loads(line[5:]) for line in lines]


def test_compat_route_answers_a_list_with_the_prompt_prepended(api, auth):
    body = {"inputs": PROMPT, "parameters": PARAMS}
    response = api.post(ENDPOINT_PREFIX, json=body, headers=auth)
    assert response.status_code == 200
    [item] = response.json()
    assert item["generated_text"].startswith(PROMPT)  # compat_return_full_text: text-generation


def test_compat_route_with_a_trailing_slash_is_the_same_route(api, auth):
    body = {"inputs": PROMPT, "parameters": PARAMS}
    plain = api.post(ENDPOINT_PREFIX, json=body, headers=auth).json()
    slash = api.post(ENDPOINT_PREFIX + "/", json=body, headers=auth).json()
    assert plain == slash


def test_generate_answers_one_object_without_the_prompt(api, auth):
    body = {"inputs": PROMPT, "parameters": PARAMS}
    answer = api.post(ENDPOINT_PREFIX + "/generate", json=body, headers=auth).json()
    assert isinstance(answer, dict)
    assert not answer["generated_text"].startswith(PROMPT)
    compat = api.post(ENDPOINT_PREFIX, json=body, headers=auth).json()[0]["generated_text"]
    assert compat == PROMPT + answer["generated_text"]  # same seed, same continuation


def test_generate_honours_return_full_text(api, auth):
    body = {"inputs": PROMPT, "parameters": {**PARAMS, "return_full_text": True}}
    answer = api.post(ENDPOINT_PREFIX + "/generate", json=body, headers=auth).json()
    assert answer["generated_text"].startswith(PROMPT)


def test_generate_stream_sends_tgi_events(api, auth):
    body = {"inputs": PROMPT, "parameters": {**PARAMS, "details": True}}
    response = api.post(ENDPOINT_PREFIX + "/generate_stream", json=body, headers=auth)
    assert response.headers["content-type"].startswith("text/event-stream")
    got = events(response)
    assert [e["index"] for e in got] == [1, 2, 3, 4, 5]
    assert got[-1]["generated_text"] == "".join(e["token"]["text"] for e in got)
    assert got[-1]["details"] == {
        "finish_reason": "length",
        "generated_tokens": 5,
        "seed": 4,
        "input_length": 11,
    }


def test_generate_stream_without_details_has_none(api, auth):
    body = {"inputs": PROMPT, "parameters": PARAMS}
    got = events(api.post(ENDPOINT_PREFIX + "/generate_stream", json=body, headers=auth))
    assert all(e["details"] is None for e in got)


def test_compat_route_streams_when_asked(api, auth):
    body = {"inputs": PROMPT, "parameters": PARAMS, "stream": True}
    got = events(api.post(ENDPOINT_PREFIX, json=body, headers=auth))
    assert got[-1]["generated_text"].startswith(PROMPT)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"temperature": 0}, "`temperature` must be strictly positive"),
        (
            {"decoder_input_details": True},
            "`decoder_input_details` == true is not supported when streaming tokens",
        ),
        (
            {"best_of": 2, "do_sample": True},
            "`best_of` != 1 is not supported when streaming tokens",
        ),
    ],
)
def test_a_stream_validation_error_is_a_422_before_the_stream(api, auth, parameters, message):
    # TGI itself validates inside the stream (a 200, then one error event); the stand-in answers
    # the 422 first, as the router's classic route does.
    body = {"inputs": PROMPT, "parameters": parameters}
    response = api.post(ENDPOINT_PREFIX + "/generate_stream", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json() == {
        "error": "Input validation error: " + message,
        "error_type": "validation",
    }


def test_generate_validation_error_is_422(api, auth):
    body = {"inputs": PROMPT, "parameters": {"top_p": 1.5}}
    response = api.post(ENDPOINT_PREFIX + "/generate", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["error"] == "Input validation error: `top_p` must be > 0.0 and < 1.0"


def test_info_has_tgis_shape_and_gpt2s_limits(api, auth):
    info = api.get(ENDPOINT_PREFIX + "/info", headers=auth).json()
    assert info["model_id"] == GPT2
    assert info["max_input_tokens"] == MAX_INPUT_TOKENS
    assert info["max_total_tokens"] == MAX_TOTAL_TOKENS
    assert info["max_best_of"] == 2 and info["max_stop_sequences"] == 4
    assert info["router"] == "text-generation-router"
    assert info["model_pipeline_tag"] == "text-generation"


def test_health_is_200_with_an_empty_body(api, auth):
    response = api.get(ENDPOINT_PREFIX + "/health", headers=auth)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/info"), ("get", "/health"), ("post", "/generate"), ("post", "")],
)
def test_a_protected_endpoint_needs_a_token(api, method, path):
    kwargs = {"json": {"inputs": PROMPT}} if method == "post" else {}
    response = getattr(api, method)(ENDPOINT_PREFIX + path, **kwargs)
    assert response.status_code == 401


def test_the_endpoint_routes_are_documented(api):
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("", "/generate", "/generate_stream", "/info", "/health"):
        assert ENDPOINT_PREFIX + path in paths


def test_the_endpoint_lists_its_model_on_v1_models_as_tgi_does(api, auth):
    answer = api.get("/endpoints/gpt2/v1/models", headers=auth)
    assert answer.status_code == 200
    assert answer.json() == {
        "object": "list",
        "data": [
            {
                "id": "openai-community/gpt2",
                "object": "model",
                "created": 0,
                "owned_by": "openai-community/gpt2",
            }
        ],
    }
