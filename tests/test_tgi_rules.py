"""TGI's parameter rules (helpers.contract.tgi_violations) against TGI's own words.

The expected texts are copied from text-generation-inference ``router/src/validation.rs`` and
``router/src/server.rs`` at ``db931fcf`` (the ``ValidationError`` messages, with the launcher's
defaults for gpt2 filled in): they are the oracle, so a wrong row in the contract's table fails.
"""

import pytest

from helpers.contract import tgi_violations

CASES = [
    ({"best_of": 3, "do_sample": True}, None, "`best_of` must be > 0 and <= 2. Given: 3"),
    (
        {"best_of": 2, "stream": True, "do_sample": True},
        None,
        "`best_of` != 1 is not supported when streaming tokens",
    ),
    (
        {"decoder_input_details": True, "stream": True},
        None,
        "`decoder_input_details` == true is not supported when streaming tokens",
    ),
    ({"best_of": 2}, None, "you must use sampling when `best_of` is > 1"),
    ({"temperature": 0.0}, None, "`temperature` must be strictly positive"),
    ({"repetition_penalty": -1}, None, "`repetition_penalty` must be strictly positive"),
    ({"frequency_penalty": 2.5}, None, "`frequency_penalty` must be >= -2.0 and <= 2.0"),
    ({"top_p": 1.0}, None, "`top_p` must be > 0.0 and < 1.0"),
    ({"typical_p": 0.0}, None, "`typical_p` must be > 0.0 and < 1.0"),
    ({"top_k": 0}, None, "`top_k` must be strictly positive"),
    ({"max_new_tokens": 0}, None, "`max_new_tokens` must be strictly positive"),
    ({"stop": ["a", "b", "c", "d", "e"]}, None, "`stop` supports up to 4 stop sequences. Given: 5"),
    (
        {"best_of": 2, "do_sample": True, "seed": 1},
        None,
        "`seed` must not be set when `best_of` > 1",
    ),
    ({"top_n_tokens": 6}, None, "`top_n_tokens` must be >= 0 and <= 5. Given: 6"),
    ({}, 0, "`inputs` cannot be empty"),
    ({"truncate": 0}, None, "`truncate` must be strictly positive and less than 1023. Given: 0"),
    ({"truncate": 0}, 5, "`truncate` must be strictly positive and less than 1023. Given: 0"),
    (
        {"truncate": 2000},
        None,
        "`truncate` must be strictly positive and less than 1023. Given: 2000",
    ),
    (
        {"max_new_tokens": 100},
        1000,
        "`inputs` tokens + `max_new_tokens` must be <= 1024. Given: 1000 `inputs` tokens and 100 "
        "`max_new_tokens`",
    ),
    ({}, 1024, "`inputs` must have less than 1023 tokens. Given: 1024"),
]


@pytest.mark.parametrize(("parameters", "input_tokens", "message"), CASES)
def test_each_rule_answers_with_tgis_message(parameters, input_tokens, message):
    assert tgi_violations(parameters, input_tokens=input_tokens)[:1] == [message]


@pytest.mark.parametrize(
    ("parameters", "input_tokens"),
    [
        ({"temperature": 0.7, "top_p": 0.9, "top_k": 50, "max_new_tokens": 20}, 10),
        ({"best_of": 2, "do_sample": True, "details": True}, None),
        ({"truncate": 10, "max_new_tokens": 1000}, 5000),  # truncate brings 5000 down to 10
        ({"temperature": "hot", "stop": None}, None),  # wrong types: the deserialiser's job
    ],
)
def test_parameters_within_the_rules_break_none(parameters, input_tokens):
    assert tgi_violations(parameters, input_tokens=input_tokens) == []


def test_every_broken_rule_is_reported_in_tgis_order():
    found = tgi_violations({"top_k": 0, "temperature": 0, "top_p": 1.0})
    assert found == [
        "`temperature` must be strictly positive",
        "`top_p` must be > 0.0 and < 1.0",
        "`top_k` must be strictly positive",
    ]
