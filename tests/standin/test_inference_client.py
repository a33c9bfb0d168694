"""The official huggingface_hub.InferenceClient as a second client of the stand-in."""

from __future__ import annotations

import pytest
from huggingface_hub import InferenceClient
from huggingface_hub.errors import HfHubHTTPError, TextGenerationError

PROMPT = "Once upon a time, in a land far away,"


@pytest.fixture
def client(stand_in, token) -> InferenceClient:
    return InferenceClient(model=stand_in.url + "/models/gpt2", token=token)


def test_text(client):
    text = client.text_generation(PROMPT, max_new_tokens=8)
    assert isinstance(text, str) and text.startswith(PROMPT)


def test_details(client):
    out = client.text_generation(PROMPT, max_new_tokens=5, details=True, seed=3, do_sample=True)
    assert out.details.finish_reason == "length"
    assert out.details.generated_tokens == 5
    assert out.details.seed == 3
    assert len(out.details.tokens) == 5


def test_stop_sequence_finish_reason(client):
    out = client.text_generation(
        PROMPT, max_new_tokens=200, stop=["."], details=True, seed=1, do_sample=True
    )
    assert out.details.finish_reason == "stop_sequence"
    assert out.generated_text.endswith(".")


def test_token_stream(client):
    events = list(client.text_generation(PROMPT, max_new_tokens=4, stream=True, details=True))
    assert len(events) == 4
    assert all(e.token.text for e in events)
    assert events[-1].details.generated_tokens == 4
    assert events[-1].generated_text.startswith(PROMPT)


def test_validation_error_reaches_it_as_its_text_generation_error(client):
    with pytest.raises(TextGenerationError, match="`temperature` must be strictly positive"):
        client.text_generation(PROMPT, temperature=0.0)


@pytest.mark.parametrize(
    ("path", "good_token", "status"),
    [
        ("/models/nobody/nothing", True, 404),
        ("/models/gpt2", False, 401),
        ("/api-inference.huggingface.co/models/gpt2", True, 410),
    ],
)
def test_4xx_reach_it_as_http_errors_with_the_status(stand_in, token, path, good_token, status):
    client = InferenceClient(model=stand_in.url + path, token=token if good_token else "hf_bad")
    with pytest.raises(HfHubHTTPError) as info:
        client.text_generation(PROMPT)
    assert info.value.response.status_code == status
