"""The client matrix: official clients against the stand-in, each on the surface it calls.

huggingface_hub hard-codes ``https://router.huggingface.co`` (``constants.INFERENCE_PROXY_TEMPLATE``)
and ``https://huggingface.co`` (``constants.ENDPOINT``); its public hook
``huggingface_hub.set_client_factory`` (2.4.0 ``utils/_http.py``) lets a test hand it an
``httpx2.Client`` whose transport sends those hosts to the stand-in instead. Nothing leaves the
machine: any other host raises.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx2
import jsonschema
import pytest
from huggingface_hub import InferenceClient, set_client_factory
from huggingface_hub.inference._providers._common import _fetch_inference_provider_mapping
from huggingface_hub.inference._providers.hf_inference import (
    _check_supported_task,
    _fetch_recommended_models,
)
from huggingface_hub.utils._http import default_client_factory, hf_request_event_hook
from openai import OpenAI

from helpers.contract import CHAT_MODEL, ENDPOINT_PREFIX, GPT2
from helpers.standin.catalog import MODELS

REAL_HOSTS = ("router.huggingface.co", "huggingface.co")
MESSAGES = [{"role": "user", "content": "Tell me about the harbour"}]
ONE_MODEL_PER_PROVIDER = {
    offer.provider: info.id
    for info in reversed(list(MODELS.values()))
    for offer in info.chat_providers
    if offer.provider != "hf-inference"
}


class ToStandIn(httpx2.HTTPTransport):
    """Sends requests for HF's hosts to the stand-in; refuses every other host."""

    def __init__(self, base_url: str):
        super().__init__()
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.host not in REAL_HOSTS:
            raise RuntimeError(f"the test would have reached {request.url.host}")
        request.url = request.url.copy_with(scheme="http", host=self.host, port=self.port)
        request.headers["host"] = f"{self.host}:{self.port}"
        return super().handle_request(request)


def _clear_caches() -> None:
    for cached in (_fetch_inference_provider_mapping, _check_supported_task):
        cached.cache_clear()
    if hasattr(_fetch_recommended_models, "cache_clear"):
        _fetch_recommended_models.cache_clear()


@pytest.fixture
def hub_client(stand_in, token) -> Iterator[type[InferenceClient]]:
    """InferenceClient with huggingface_hub's own URLs, answered by the stand-in."""

    def factory() -> httpx2.Client:
        return httpx2.Client(
            transport=ToStandIn(stand_in.url),
            event_hooks={"request": [hf_request_event_hook]},
            follow_redirects=True,
            timeout=30,
        )

    _clear_caches()
    set_client_factory(factory)
    try:
        yield lambda **kw: InferenceClient(api_key=token, **kw)
    finally:
        set_client_factory(default_client_factory)
        _clear_caches()


# --- huggingface_hub InferenceClient -----------------------------------------------------------


@pytest.mark.parametrize("provider", sorted(ONE_MODEL_PER_PROVIDER))
def test_inference_client_chat_through_each_catalogue_provider(hub_client, provider):
    # The client reads the Hub mapping, then posts the providerId to the provider's own path.
    client = hub_client(provider=provider)
    answer = client.chat_completion(MESSAGES, model=ONE_MODEL_PER_PROVIDER[provider], max_tokens=4)
    assert answer.choices[0].message.content


def test_inference_client_chat_auto_router_streamed(hub_client):
    client = hub_client()
    pieces = [
        c.choices[0].delta.content or ""
        for c in client.chat_completion(MESSAGES, model=CHAT_MODEL, max_tokens=5, stream=True)
        if c.choices
    ]
    assert "".join(pieces).strip()


def test_inference_client_tools_and_structured_output(hub_client):
    client = hub_client(provider="groq")
    tool = {
        "type": "function",
        "function": {
            "name": "harbour_tide",
            "parameters": {
                "type": "object",
                "properties": {"hour": {"type": "integer", "minimum": 0, "maximum": 23}},
                "required": ["hour"],
            },
        },
    }
    answer = client.chat_completion(
        MESSAGES, model=CHAT_MODEL, tools=[tool], tool_choice="required", max_tokens=20
    )
    call = answer.choices[0].message.tool_calls[0]
    arguments = call.function.arguments
    arguments = json.loads(arguments) if isinstance(arguments, str) else arguments
    jsonschema.validate(arguments, tool["function"]["parameters"])
    schema = {"type": "object", "properties": {"tide": {"type": "string"}}, "required": ["tide"]}
    answer = client.chat_completion(
        MESSAGES,
        model=CHAT_MODEL,
        response_format={"type": "json_schema", "json_schema": {"name": "t", "schema": schema}},
    )
    jsonschema.validate(json.loads(answer.choices[0].message.content), schema)


def test_inference_client_classic_tasks(hub_client):
    client = hub_client(provider="hf-inference")
    assert client.text_generation("Once upon a time", model=GPT2, max_new_tokens=5)
    labels = client.text_classification(
        "I love it", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    )
    assert labels[0].label in ("POSITIVE", "NEGATIVE")


def test_inference_client_feature_extraction_without_a_model(hub_client):
    # No model: the client reads /api/tasks for the recommended one, then posts to
    # /hf-inference/models/{id}/pipeline/feature-extraction.
    vector = hub_client().feature_extraction("The harbour at dawn")
    assert vector.size > 0


# --- openai-python ----------------------------------------------------------------------------

OPENAI_SURFACES = {
    "router": ("/v1", CHAT_MODEL),
    "groq route": ("/groq/openai/v1", CHAT_MODEL),
    "novita route": ("/novita/v3/openai", "deepseek-ai/DeepSeek-V4-Pro"),
}


@pytest.mark.parametrize("surface", sorted(OPENAI_SURFACES))
def test_openai_client_chat_tools_structured_and_streaming(stand_in, token, surface):
    base, model = OPENAI_SURFACES[surface]
    client = OpenAI(base_url=stand_in.url + base, api_key=token, max_retries=0)
    assert client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=4).choices
    chunks = list(
        client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=4, stream=True)
    )
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    answer = client.chat.completions.create(
        model=model,
        messages=MESSAGES,
        response_format={"type": "json_schema", "json_schema": {"name": "n", "schema": schema}},
    )
    jsonschema.validate(json.loads(answer.choices[0].message.content), schema)


@pytest.mark.parametrize(
    "base", [f"/hf-inference/models/{GPT2}/v1", ENDPOINT_PREFIX + "/v1", "/together/v1"]
)
def test_openai_client_completions(stand_in, token, base):
    model = "deepseek-ai/DeepSeek-V4-Pro" if base.startswith("/together") else GPT2
    client = OpenAI(base_url=stand_in.url + base, api_key=token, max_retries=0)
    assert client.completions.create(model=model, prompt="The harbour", max_tokens=3).choices
    assert list(client.completions.create(model=model, prompt="The", max_tokens=3, stream=True))
