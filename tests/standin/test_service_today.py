"""The service as the references say it is in December 2026 (issue 18, step 6, stand-in parts)."""

from __future__ import annotations

import json
import re

import pytest

ENDPOINT_COMPLETIONS = "/endpoints/gpt2/v1/completions"
PROMPT = "Once upon a time, in a land far away,"


@pytest.fixture
def today(make_api):
    return make_api(profile="today")


def events(response) -> list[dict]:
    return [
        json.loads(line.split(":", 1)[1])
        for line in response.text.splitlines()
        if line.startswith("data:") and "[DONE]" not in line
    ]


# --- the emulated Endpoint's /v1/completions keeps TGI's rules ---------------------------------


def test_endpoint_completions_refuse_top_p_1_as_tgi_does(api, auth):
    body = {"model": "tgi", "prompt": PROMPT, "top_p": 1.0}
    response = api.post(ENDPOINT_COMPLETIONS, json=body, headers=auth)
    assert response.status_code == 422
    assert response.json() == {
        "error": "Input validation error: `top_p` must be > 0.0 and < 1.0",
        "error_type": "validation",
    }
    # the router-side OpenAI routes take top_p 1.0 (OpenAI's range)
    router = api.post(
        "/hf-inference/models/openai-community/gpt2/v1/completions", json=body, headers=auth
    )
    assert router.status_code == 200


def test_a_streamed_validation_error_is_tgis_openai_error_event(api, auth):
    body = {"model": "tgi", "prompt": PROMPT, "top_p": 1.0, "stream": True}
    response = api.post(ENDPOINT_COMPLETIONS, json=body, headers=auth)
    assert response.status_code == 200  # TGI validates inside the stream
    assert events(response) == [
        {
            "error": {
                "message": "Input validation error: `top_p` must be > 0.0 and < 1.0",
                "http_status_code": 422,
            }
        }
    ]


def test_a_fault_mid_stream_is_tgis_openai_error_event(make_api, auth):
    api = make_api(stream_error_after_tokens=2)
    body = {"model": "tgi", "prompt": PROMPT, "max_tokens": 6, "stream": True}
    last = events(api.post(ENDPOINT_COMPLETIONS, json=body, headers=auth))[-1]
    assert set(last) == {"error"}
    assert set(last["error"]) == {"message", "http_status_code"}
    assert last["error"]["http_status_code"] == 422
    assert last["error"]["message"].startswith("Request failed during generation: ")


def test_endpoint_completions_ignore_top_k(api, auth):
    """TGI's /v1/completions sets top_k: None: top_k=1 changes nothing and any value passes."""
    body = {"model": "tgi", "prompt": PROMPT, "max_tokens": 20, "seed": 5, "temperature": 1.5}
    plain = api.post(ENDPOINT_COMPLETIONS, json=body, headers=auth)
    texts = {
        api.post(ENDPOINT_COMPLETIONS, json={**body, "top_k": k}, headers=auth).json()["choices"][
            0
        ]["text"]
        for k in (1, 2, "not a number")
    }
    assert texts == {plain.json()["choices"][0]["text"]}
    # where top_k is a (vLLM) parameter, top_k=1 is greedy whatever the seed
    router = "/hf-inference/models/openai-community/gpt2/v1/completions"
    greedy = {
        api.post(router, json={**body, "top_k": 1, "seed": s}, headers=auth).json()["choices"][0][
            "text"
        ]
        for s in range(4)
    }
    assert len(greedy) == 1


# --- the today profile's headers and /v1/models -------------------------------------------------


def test_today_request_ids_have_the_routers_shape(today, auth):
    chat = {"model": "openai/gpt-oss-120b", "messages": [{"role": "user", "content": "Hi"}]}
    response = today.post("/v1/chat/completions", json=chat, headers=auth)
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", response.headers["x-request-id"])


@pytest.mark.parametrize("profile", ["teaching", "today"])
def test_v1_models_carries_the_documented_fields(make_api, profile):
    data = make_api(profile=profile).get("/v1/models").json()["data"]
    assert data
    for model in data:
        assert model["architecture"] == {
            "input_modalities": ["text"],
            "output_modalities": ["text"],
        }
        for provider in model["providers"]:
            assert provider["status"] in ("live", "error")
            assert isinstance(provider["is_model_author"], bool)
            assert provider["is_free"] is False
    pro = next(m for m in data if m["id"] == "deepseek-ai/DeepSeek-V4-Pro")
    novita = next(p for p in pro["providers"] if p["provider"] == "novita")
    assert novita["first_token_latency_ms"] == 1490  # hub-docs' example answer
    assert novita["throughput"] == pytest.approx(24.69, abs=0.01)
    featherless = next(p for p in pro["providers"] if p["provider"] == "featherless-ai")
    assert "throughput" not in featherless  # no probe published: the field is left out
    assert any(p.get("supports_tools") for m in data for p in m["providers"])


def test_a_provider_publishing_its_own_model_is_its_author(api):
    glm = next(m for m in api.get("/v1/models").json()["data"] if m["id"] == "zai-org/GLM-5.2")
    authors = {p["provider"]: p["is_model_author"] for p in glm["providers"]}
    assert authors["zai-org"] is True and authors["scaleway"] is False
