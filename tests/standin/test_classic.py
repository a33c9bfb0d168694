"""Every parameter TGI documents has an effect on the classic route, or a clear 422.

The parameter names are read from TGI's own ``GenerateParameters`` schema (docs/openapi.json at
``db931fcf``, saved in ``data/tgi_openapi_subset.json``), so a parameter TGI adds to its schema
fails this test until the table says what it does on the stand-in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

PROMPT = "Once upon a time, in a land far away,"
SCHEMA = json.loads((Path(__file__).parent / "data" / "tgi_openapi_subset.json").read_text())
TGI_PARAMETERS = sorted(SCHEMA["components"]["schemas"]["GenerateParameters"]["properties"])


def generate(api, auth, stream: bool = False, **parameters):
    body = {"inputs": PROMPT, "parameters": {"max_new_tokens": 12, **parameters}}
    if stream:
        body["stream"] = True
    response = api.post("/models/gpt2", json=body, headers=auth)
    assert response.status_code == 200, response.text
    if stream:
        return [json.loads(line[5:]) for line in response.text.splitlines() if line]
    return response.json()[0]


def text(api, auth, **parameters) -> str:
    return generate(api, auth, **parameters)["generated_text"]


def sampled(api, auth, **parameters) -> set[str]:
    return {text(api, auth, do_sample=True, seed=s, **parameters) for s in range(6)}


def not_emulated(name: str, value, default, **extra) -> Callable:
    """A value the stand-in does not emulate gets a clear 422 saying the live service accepts
    it; the default (what official clients send) still answers."""

    def check(api, auth) -> bool:
        body = {"inputs": PROMPT, "parameters": {name: value, **extra}}
        response = api.post("/models/gpt2", json=body, headers=auth)
        return (
            response.status_code == 422
            and response.json()
            == {
                "error": f"Input validation error: `{name}` is not emulated by the stand-in "
                "(the live service accepts it)",
                "error_type": "validation",
            }
            and "generated_text" in generate(api, auth, **{name: default})
        )

    return check


def _adapter(api, auth) -> bool:
    # TGI falls back to the base model for an adapter it has not loaded
    # (ADAPTER_TO_INDEX.get(adapter_id, 0), flash_causal_lm.py @ db931fcf): same text.
    return text(api, auth, adapter_id="nobody/lora") == text(api, auth)


EFFECTS: dict[str, Callable] = {
    "adapter_id": _adapter,
    "best_of": not_emulated("best_of", 2, 1, do_sample=True),
    "decoder_input_details": not_emulated("decoder_input_details", True, False),
    "details": lambda api, auth: (
        "details" in generate(api, auth, details=True) and "details" not in generate(api, auth)
    ),
    "do_sample": lambda api, auth: len(sampled(api, auth)) > 1,
    "frequency_penalty": lambda api, auth: (
        generate(api, auth, details=True, frequency_penalty=2.0)["details"]["tokens"]
        != generate(api, auth, details=True)["details"]["tokens"]
    ),
    "grammar": not_emulated("grammar", {"type": "regex", "value": "a+"}, None),
    "max_new_tokens": lambda api, auth: (
        generate(api, auth, details=True, max_new_tokens=3)["details"]["generated_tokens"] == 3
    ),
    "repetition_penalty": lambda api, auth: (
        sampled(api, auth, repetition_penalty=3.0, max_new_tokens=40)
        != sampled(api, auth, max_new_tokens=40)
    ),
    "return_full_text": lambda api, auth: (
        not text(api, auth, return_full_text=False).startswith(PROMPT)
    ),
    "seed": lambda api, auth: (
        text(api, auth, do_sample=True, seed=5) == text(api, auth, do_sample=True, seed=5)
        and len(sampled(api, auth)) > 1
    ),
    "stop": lambda api, auth: (
        generate(api, auth, stop=["."], max_new_tokens=200, details=True)["details"][
            "finish_reason"
        ]
        == "stop_sequence"
    ),
    "temperature": lambda api, auth: (
        len(sampled(api, auth, temperature=0.05)) < len(sampled(api, auth, temperature=1.5))
    ),
    "top_k": lambda api, auth: len(sampled(api, auth, top_k=1)) == 1,
    "top_n_tokens": not_emulated("top_n_tokens", 2, 0),
    "top_p": lambda api, auth: len(sampled(api, auth, top_p=0.01)) == 1,
    "truncate": not_emulated("truncate", 4, None),
    "typical_p": not_emulated("typical_p", 0.5, None),
    "watermark": not_emulated("watermark", True, False),
}


def test_the_table_covers_every_parameter_tgi_documents():
    assert sorted(EFFECTS) == TGI_PARAMETERS


def test_the_table_covers_huggingface_hubs_generate_parameters():
    # A second list: the spec huggingface_hub generates its text_generation arguments from.
    import dataclasses

    from huggingface_hub import TextGenerationInputGenerateParameters

    names = {f.name for f in dataclasses.fields(TextGenerationInputGenerateParameters)}
    assert names <= set(EFFECTS), names - set(EFFECTS)


@pytest.mark.parametrize("name", TGI_PARAMETERS)
def test_each_tgi_parameter_has_an_effect(api, auth, name):
    assert EFFECTS[name](api, auth), name


def test_stream_carries_details_only_when_asked(api, auth):
    plain = generate(api, auth, stream=True)
    assert all(e["details"] is None for e in plain)
    asked = generate(api, auth, stream=True, details=True)
    assert asked[-1]["details"]["finish_reason"] == "length"
    assert asked[-1]["details"]["input_length"] == 11
    assert all(e["details"] is None for e in asked[:-1])


def test_a_mid_stream_error_is_one_generation_event(make_api, auth):
    api = make_api(stream_error_after_tokens=2)
    events = generate(api, auth, stream=True)
    assert len(events) == 3
    assert events[-1] == {
        "error": "Request failed during generation: stand-in fault",
        "error_type": "generation",
    }
