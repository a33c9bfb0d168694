"""The stand-in answers invalid TGI requests with TGI's own messages, word for word.

The expected messages below are copied by hand from text-generation-inference
``router/src/validation.rs`` at ``db931fcf`` (the ``#[error(...)]`` strings of
``ValidationError``, placeholders filled with gpt2's launcher defaults: best_of ≤ 2, 4 stop
sequences, top_n_tokens ≤ 5, 1023 input tokens, 1024 total tokens). They are *not* read from
the stand-in's or the contract's code, so a wrong message fails here.
"""

from __future__ import annotations

import pytest

PROMPT = "Once upon a time, in a land far away,"
PREFIX = "Input validation error: "
LONG_PROMPT = "word " * 1030  # 1030 stand-in tokens

# The rules themselves are checked row by row in tests/test_tgi_rules.py; here, that the routes
# apply them: the stream flag, the prompt's token count, TGI's 422 envelope.
ROUTE_CASES = [
    ({"temperature": 0}, False, "`temperature` must be strictly positive"),
    ({"best_of": 2, "do_sample": True}, True, "`best_of` != 1 is not supported when streaming tokens"),
    ({"best_of": 3, "temperature": 0}, False, "`best_of` must be > 0 and <= 2. Given: 3"),
    (
        {"max_new_tokens": 1020},
        False,
        "`inputs` tokens + `max_new_tokens` must be <= 1024. "
        "Given: 11 `inputs` tokens and 1020 `max_new_tokens`",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("parameters", "stream", "message"), ROUTE_CASES)
def test_invalid_parameters_get_tgis_message_and_422(api, auth, parameters, stream, message):
    body = {"inputs": PROMPT, "parameters": parameters, "stream": stream}
    response = api.post("/models/gpt2", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json() == {"error": PREFIX + message, "error_type": "validation"}


def test_empty_inputs_get_tgis_message(api, auth):
    response = api.post("/models/gpt2", json={"inputs": ""}, headers=auth)
    assert response.json()["error"] == PREFIX + "`inputs` cannot be empty"


def test_a_prompt_over_the_total_gets_the_total_tokens_message(api, auth):
    # No max_new_tokens: TGI takes max_total - input_length (saturating at 0) and checks the sum
    response = api.post("/models/gpt2", json={"inputs": LONG_PROMPT}, headers=auth)
    assert response.status_code == 422
    assert response.json()["error"] == PREFIX + (
        "`inputs` tokens + `max_new_tokens` must be <= 1024. "
        "Given: 1030 `inputs` tokens and 0 `max_new_tokens`"
    )


def test_a_prompt_of_1024_tokens_gets_the_input_length_message(api, auth):
    response = api.post("/models/gpt2", json={"inputs": "word " * 1024}, headers=auth)
    assert (
        response.json()["error"] == PREFIX + "`inputs` must have less than 1023 tokens. Given: 1024"
    )


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            {"inputs": PROMPT, "parameters": {"top_k": "5"}},
            "parameters.top_k: Input should be a valid integer",
        ),
        (
            {"inputs": PROMPT, "parameters": {"max_new_tokens": -1}},
            "parameters.max_new_tokens: Input should be greater than or equal to 0",
        ),
        (
            {"inputs": PROMPT, "parameters": {"max_new_tokens": 2.5}},
            "parameters.max_new_tokens: Input should be a valid integer",
        ),
        (
            {"inputs": PROMPT, "parameters": {"do_sample": None}},
            "parameters.do_sample: Input should be a valid boolean",
        ),
        (
            {"inputs": PROMPT, "parameters": {"stop": "end"}},
            "parameters.stop: Input should be a valid list",
        ),
        ({"inputs": 5}, "inputs: Input should be a valid string"),
        ({"parameters": {}}, "inputs: Field required"),
        ({"inputs": PROMPT, "stream": "yes"}, "stream: Input should be a valid boolean"),
    ],
)
def test_wrong_json_types_get_axums_plain_text_422(api, auth, body, text):
    response = api.post("/models/gpt2", json=body, headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Failed to deserialize the JSON body into the target type: " + text


def test_unknown_parameters_are_ignored_as_tgi_does(api, auth):
    body = {"inputs": PROMPT, "parameters": {"max_new_tokens": 3, "num_return_sequences": 4}}
    assert api.post("/models/gpt2", json=body, headers=auth).status_code == 200
