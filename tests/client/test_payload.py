"""helpers.client.payload: the server's rules, checked by the client before sending and by the
stand-in on arrival, with the same verdict and TGI's own messages."""

from __future__ import annotations

import pytest
import requests

from helpers.client.errors import ParameterError
from helpers.client.payload import build_payload, check_rules, legacy_parameters

# (parameters, the parameter at fault, words of TGI's message)
BAD_PARAMETERS = [
    ({"temperature": 0}, "temperature", "`temperature` must be strictly positive"),
    ({"temperature": -0.5}, "temperature", "`temperature` must be strictly positive"),
    ({"temperature": "hot"}, "temperature", "invalid type"),
    ({"top_p": 0}, "top_p", "`top_p` must be > 0.0 and < 1.0"),
    ({"top_p": 1.0}, "top_p", "`top_p` must be > 0.0 and < 1.0"),
    ({"top_p": 1.5}, "top_p", "`top_p` must be > 0.0 and < 1.0"),
    ({"top_k": 0}, "top_k", "`top_k` must be strictly positive"),
    ({"top_k": -3}, "top_k", "`top_k` must be strictly positive"),
    ({"top_k": 2.5}, "top_k", "invalid type"),
    ({"max_new_tokens": 0}, "max_new_tokens", "`max_new_tokens` must be strictly positive"),
    ({"max_new_tokens": -1}, "max_new_tokens", "integer `-1`, expected u32"),
    ({"max_new_tokens": "ten"}, "max_new_tokens", "invalid type"),
    ({"max_new_tokens": 5.0}, "max_new_tokens", "invalid type"),
    (
        {"repetition_penalty": 0},
        "repetition_penalty",
        "`repetition_penalty` must be strictly positive",
    ),
    (
        {"frequency_penalty": 3},
        "frequency_penalty",
        "`frequency_penalty` must be >= -2.0 and <= 2.0",
    ),
    ({"typical_p": 1}, "typical_p", "`typical_p` must be > 0.0 and < 1.0"),
    (
        {"stop": ["a", "b", "c", "d", "e"]},
        "stop",
        "`stop` supports up to 4 stop sequences. Given: 5",
    ),
    ({"stop": "."}, "stop", "invalid type"),
    ({"stop": [1, 2]}, "stop", "invalid type"),
    ({"seed": -1}, "seed", "expected u64"),
    ({"seed": "abc"}, "seed", "invalid type"),
    ({"do_sample": "yes"}, "do_sample", "invalid type"),
    ({"details": 1}, "details", "invalid type"),
    ({"best_of": 3, "do_sample": True}, "best_of", "`best_of` must be > 0 and <= 2. Given: 3"),
    ({"best_of": 2}, "best_of", "you must use sampling when `best_of` is > 1"),
    (
        {"best_of": 2, "do_sample": True, "seed": 1},
        "best_of",
        "`seed` must not be set when `best_of` > 1",
    ),
    ({"top_n_tokens": 6}, "top_n_tokens", "`top_n_tokens` must be >= 0 and <= 5. Given: 6"),
    ({"truncate": 0}, "truncate", "`truncate` must be strictly positive"),
]

BAD_INPUTS = [
    ("", "inputs", "`inputs` cannot be empty"),
    (42, "inputs", "invalid type"),
    (["a list"], "inputs", "invalid type"),
    (None, "inputs", "invalid type"),
]


@pytest.mark.parametrize(("params", "name", "message"), BAD_PARAMETERS)
def test_client_refuses_bad_parameters_before_sending(params, name, message):
    problems = check_rules("Hello", params)
    assert problems, f"{params} should break a rule"
    assert problems[0].parameter == name
    assert message in problems[0].server_message
    with pytest.raises(ParameterError) as info:
        build_payload("Hello", **params)
    assert info.value.parameter == name
    assert name in str(info.value) and "rule" in str(info.value)


@pytest.mark.parametrize(("inputs", "name", "message"), BAD_INPUTS)
def test_client_refuses_bad_inputs(inputs, name, message):
    problems = check_rules(inputs, {})
    assert problems[0].parameter == name
    assert message in problems[0].server_message


def server_says(response: requests.Response) -> str:
    """Return the stand-in's message: TGI's JSON ``error``, or axum's plain-text rejection."""
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        assert body["error_type"] == "validation"
        assert body["error"].startswith("Input validation error: ")
        return body["error"]
    return response.text


@pytest.mark.parametrize(("params", "name", "message"), BAD_PARAMETERS)
def test_stand_in_refuses_what_the_client_refuses(post, params, name, message):
    # Two independent implementations (client pre-send check, stand-in validation) agree.
    response = post("/models/gpt2", "Hello", params)
    assert response.status_code == 422
    said = server_says(response)
    assert name in said or name == "best_of"  # TGI's best_of messages name seed/sampling
    if "invalid type" not in message:  # serde's wording names the Rust type: not compared
        assert message in said


@pytest.mark.parametrize(("inputs", "name", "message"), BAD_INPUTS)
def test_stand_in_rejects_bad_inputs_with_422(stand_in, auth, inputs, name, message):
    response = requests.post(
        f"{stand_in.url}/models/gpt2", json={"inputs": inputs}, headers=auth, timeout=10
    )
    assert response.status_code == 422
    assert "inputs" in server_says(response)


def test_a_prompt_of_spaces_is_accepted_on_both_sides(post):
    # TGI refuses only an empty string (inputs.is_empty()), not whitespace
    assert check_rules("   ", {}) == []
    assert post("/models/gpt2", "   ", {"max_new_tokens": 2}).status_code == 200


def test_not_a_number_is_refused_on_both_sides(stand_in, auth):
    assert check_rules("Hello", {"temperature": float("nan")})[0].parameter == "temperature"
    response = requests.post(
        f"{stand_in.url}/models/gpt2",
        data='{"inputs": "Hello", "parameters": {"temperature": NaN}}',
        headers={**auth, "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400  # NaN is not JSON: serde refuses it, never a 500
    assert response.headers["content-type"].startswith("text/plain")


def test_prompt_plus_max_new_tokens_over_the_context_is_422(stand_in, auth):
    response = requests.post(
        f"{stand_in.url}/models/gpt2",
        json={"inputs": "word " * 1000, "parameters": {"max_new_tokens": 100}},
        headers=auth,
        timeout=10,
    )
    assert response.status_code == 422
    assert "must be <= 1024" in response.json()["error"]


def test_huge_prompt_is_422_not_500(stand_in, auth):
    response = requests.post(
        f"{stand_in.url}/models/gpt2", json={"inputs": "word " * 5000}, headers=auth, timeout=10
    )
    assert response.status_code == 422
    # TGI checks the total first, max_new_tokens defaulting to what is left (here 0)
    assert "must be <= 1024" in response.json()["error"]
    expected = check_rules("word " * 5000, {}, input_tokens=5000)[0].server_message
    assert expected in response.json()["error"]


@pytest.mark.parametrize(
    "params",
    [
        {"temperature": 0.7, "top_p": 0.9, "top_k": 50, "max_new_tokens": 20},
        {"do_sample": False},
        {"stop": ["."], "seed": 3, "return_full_text": False, "details": True},
        {"repetition_penalty": 1.2, "frequency_penalty": -2.0},
        {"best_of": 2, "do_sample": True},
        {"max_new_tokens": 5},
    ],
)
def test_valid_parameters_pass_both_sides(post, params):
    assert check_rules("Hello", params) == []
    response = post("/models/gpt2", "Hello", params)
    assert response.status_code == 200


def test_unknown_and_legacy_parameters_are_ignored_by_the_server(stand_in, auth):
    payload = {
        "inputs": "Hello",
        "parameters": {
            "num_return_sequences": 3,
            "max_time": 1,
            "stop_sequences": ["x"],
            "max_new_tokens": 3,
        },
        "options": {"wait_for_model": True, "use_cache": False},
    }
    response = requests.post(f"{stand_in.url}/models/gpt2", json=payload, headers=auth, timeout=10)
    assert response.status_code == 200
    assert len(response.json()) == 1  # num_return_sequences is not honoured


def test_legacy_parameters_are_named_with_what_happens_to_them():
    found = legacy_parameters(
        {
            "parameters": {"num_return_sequences": 2, "max_new_tokens": 3},
            "options": {"wait_for_model": True},
        }
    )
    assert set(found) == {"num_return_sequences", "wait_for_model", "options"}
    assert all(found.values())


def test_build_payload_drops_none_and_marks_stream():
    assert build_payload("Hi", max_new_tokens=None, stream=True) == {
        "inputs": "Hi",
        "parameters": {},
        "stream": True,
    }


def test_type_rules_use_the_right_article():
    # bug caught: "`max_new_tokens` = 'ten' breaks the rule: it is a integer"
    with pytest.raises(ParameterError) as info:
        build_payload("Hello", max_new_tokens="ten")
    assert "it is an integer" in str(info.value)
    assert "expected an integer" in check_rules("Hello", {"top_k": "x"})[0].server_message
    assert "it is a number" in check_rules("Hello", {"temperature": "hot"})[0].rule


def test_an_openai_name_on_the_classic_shape_is_refused_with_the_classic_name(stand_in, token):
    # bug caught: generate("Hi", max_tokens=5) was sent, ignored, and ~40 tokens came back
    from helpers import Connection, InferenceSession, Settings

    settings = Settings("live", token, stand_in.url, stand_in.url + "/api")
    hf = Connection(settings, InferenceSession(token, retries=0))
    with pytest.raises(ParameterError) as info:
        hf.generate("Hi", max_tokens=5)
    assert info.value.parameter == "max_tokens"
    assert "the classic shape calls it max_new_tokens" in str(info.value)
    assert "Use max_new_tokens" in info.value.hint


def test_a_classic_name_on_the_openai_shape_is_refused_with_the_openai_name(stand_in, token):
    # bug caught: complete("Hi", max_new_tokens=5) was sent, ignored, and 16 tokens came back
    from helpers import Connection, InferenceSession, Settings

    settings = Settings("live", token, stand_in.url, stand_in.url + "/api")
    hf = Connection(settings, InferenceSession(token, retries=0))
    for call in (hf.complete, lambda *a, **k: list(hf.stream_complete(*a, **k))):
        with pytest.raises(ParameterError) as info:
            call("Hi", max_new_tokens=5)
        assert info.value.parameter == "max_new_tokens"
        assert "the OpenAI completions shape calls it max_tokens" in str(info.value)
    with pytest.raises(ParameterError, match="no `parameters`"):
        hf.complete("Hi", parameters={"max_new_tokens": 5})
