"""helpers.client.session's pre-send check (build_payload) reads TGI's rules from contract.

The rules themselves (each row against TGI's literal messages) are tested once, in
tests/test_tgi_rules.py; here: that the client asks the contract, and what it does with the answer.
"""

from __future__ import annotations

import pytest

from helpers import contract
from helpers.client.errors import ConfigurationError
from helpers.client.session import build_payload


def test_a_valid_payload_is_built_with_none_values_dropped():
    assert build_payload("Hi", max_new_tokens=5, seed=None) == {
        "inputs": "Hi",
        "parameters": {"max_new_tokens": 5},
    }
    assert build_payload("Hi", stream=True)["stream"] is True


def test_the_check_is_the_contracts_and_its_first_message_is_raised(monkeypatch):
    asked = []

    def rules(parameters):
        asked.append(dict(parameters))
        return ["`top_k` must be strictly positive", "`top_p` must be > 0.0 and < 1.0"]

    monkeypatch.setattr(contract, "tgi_violations", rules)
    with pytest.raises(ConfigurationError) as info:
        build_payload("Hi", top_k=0, top_p=1.0)
    assert asked == [{"top_k": 0, "top_p": 1.0}]
    assert info.value.parameter == "top_k"
    assert info.value.message.endswith("`top_k` must be strictly positive")
    assert isinstance(info.value, ValueError)


def test_a_stream_is_checked_with_its_stream_flag(monkeypatch):
    seen = []
    monkeypatch.setattr(contract, "tgi_violations", lambda p, **_: seen.append(p) or [])
    build_payload("Hi", stream=True, best_of=2)
    assert seen == [{"best_of": 2, "stream": True}]


@pytest.mark.parametrize(
    ("parameters", "parameter"),
    [({"temperature": 0}, "temperature"), ({"top_p": 1.0}, "top_p"), ({"top_k": 0}, "top_k")],
)
def test_real_rules_refuse_what_tgi_refuses(parameters, parameter):
    with pytest.raises(ConfigurationError) as info:
        build_payload("Hi", **parameters)
    assert info.value.parameter == parameter
    assert info.value.message.split(": ", 1)[1] in contract.tgi_violations(parameters)
