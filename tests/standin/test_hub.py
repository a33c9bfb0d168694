"""The Hub routes and embeddings, read by huggingface_hub 2.4.0 as it reads the real Hub.

huggingface_hub hard-codes ``https://huggingface.co`` and ``https://router.huggingface.co``;
its public ``set_client_factory`` hook lets the ``redirected`` fixture send both hosts to the
shared stand-in (paths stay as the library builds them).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import numpy as np
import pytest
from huggingface_hub import HfApi, InferenceClient, close_session, set_client_factory
from huggingface_hub.errors import RepositoryNotFoundError
from huggingface_hub.inference._providers import _common, hf_inference
from huggingface_hub.utils import _http

from helpers.standin.catalog import MODELS, recommended_models

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


class ToStandIn(httpx2.HTTPTransport):
    """Sends every request to the stand-in, keeping its path and query."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.target = httpx2.URL(base_url)
        self.hosts: list[str] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.hosts.append(request.url.host)
        request.url = request.url.copy_with(
            scheme=self.target.scheme, host=self.target.host, port=self.target.port
        )
        request.headers["host"] = f"{self.target.host}:{self.target.port}"
        return super().handle_request(request)


def _clear_caches() -> None:
    _common._fetch_inference_provider_mapping.cache_clear()
    hf_inference._fetch_recommended_models.cache_clear()
    hf_inference._check_supported_task.cache_clear()


@pytest.fixture
def redirected(stand_in) -> Iterator[ToStandIn]:
    """huggingface_hub's Hub and router hosts, answered by the shared stand-in."""
    transport = ToStandIn(stand_in.url)
    previous = _http._GLOBAL_CLIENT_FACTORY
    set_client_factory(lambda: httpx2.Client(transport=transport))
    close_session()
    _clear_caches()
    yield transport
    set_client_factory(previous)
    close_session()
    _clear_caches()


def test_the_client_really_went_through_the_redirect(redirected, token):
    HfApi().model_info("gpt2")
    assert set(redirected.hosts) == {"huggingface.co"}


def test_unknown_repository_raises_repository_not_found(redirected):
    # Fails if the 404 lacks X-Error-Code: RepoNotFound (the client then raises HfHubHTTPError).
    with pytest.raises(RepositoryNotFoundError):
        HfApi().model_info("nobody/nothing")


def test_model_info_at_a_revision(redirected):
    assert HfApi().model_info("gpt2", revision="main").pipeline_tag == "text-generation"


def test_provider_mapping_is_an_object_the_client_reads(redirected):
    info = HfApi().model_info("openai/gpt-oss-120b", expand=["inferenceProviderMapping"])
    mapping = {m.provider: m for m in info.inference_provider_mapping}
    assert list(mapping) == [o.provider for o in MODELS["openai/gpt-oss-120b"].offers]
    assert mapping["cerebras"].provider_id == "gpt-oss-120b"  # the provider's own id
    assert {m.task for m in mapping.values()} == {"conversational"}
    assert {m.status for m in mapping.values()} == {"live"}


def test_feature_extraction_with_a_model(redirected, token):
    client = InferenceClient(token=token)
    vectors = client.feature_extraction(["The cat sat", "The cat sat"], model=MINILM)
    assert vectors.shape == (2, MODELS[MINILM].dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.allclose(vectors[0], vectors[1])
    assert "router.huggingface.co" in redirected.hosts


def test_feature_extraction_without_a_model_uses_the_recommended_one(redirected, token):
    vectors = InferenceClient(token=token).feature_extraction("Hello world")
    expected = MODELS[recommended_models()["feature-extraction"]].dimension
    assert vectors.shape == (1, expected)


def test_embeddings_dimension_comes_from_the_catalogue(redirected, token):
    vectors = InferenceClient(token=token).feature_extraction("Hi", model="thenlper/gte-large")
    assert vectors.shape == (1, 1024)


def test_provider_auto_resolves_feature_extraction_through_the_mapping(redirected, token):
    client = InferenceClient(provider="auto", token=token)
    assert client.feature_extraction("Hello", model=MINILM).shape[-1] == 384


def test_sentence_similarity_ranks_the_shared_words_first(redirected, token):
    scores = InferenceClient(token=token).sentence_similarity(
        "The cat sat on the mat",
        ["A cat sat on a mat", "Stock markets fell sharply"],
        model=MINILM,
    )
    assert scores[0] > scores[1] + 0.3


def test_text_generation_without_a_model_reaches_the_stand_in(redirected, token):
    text = InferenceClient(token=token).text_generation("Once upon a time", max_new_tokens=4)
    assert text.startswith("Once upon a time")


def test_tasks_list_a_served_recommended_model_first(api):
    tasks = api.get("/api/tasks").json()
    assert "conversational" not in tasks  # not a Hub task: chat goes to the router
    for name, entry in tasks.items():
        assert entry["widgetModels"][0] == entry["models"][0]["id"]
        assert api.get(f"/api/models/{entry['widgetModels'][0]}").json()["pipeline_tag"] in (
            name,
            "sentence-similarity",
        )


def test_gpt2_maps_to_no_provider_without_gpt2_on_the_router(make_api):
    hub = make_api(router_serves_gpt2=False)
    body = hub.get("/api/models/gpt2", params={"expand[]": "inferenceProviderMapping"}).json()
    assert body["inferenceProviderMapping"] == {}


def test_expand_returns_only_the_fields_asked_for(api):
    body = api.get("/api/models/gpt2", params={"expand[]": "inference"}).json()
    assert body == {"_id": body["_id"], "id": "openai-community/gpt2", "inference": "warm"}


def test_embeddings_of_a_non_embeddings_model_are_404(api, auth):
    response = api.post(
        "/hf-inference/models/gpt2/pipeline/feature-extraction", json={"inputs": "x"}, headers=auth
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body", [{"inputs": ""}, {"inputs": []}, {"inputs": [1]}, {"inputs": "x", "normalize": "y"}]
)
def test_bad_embeddings_input_is_422(api, auth, body):
    path = f"/hf-inference/models/{MINILM}/pipeline/feature-extraction"
    assert api.post(path, json=body, headers=auth).status_code == 422


def test_embeddings_need_a_token(api):
    path = f"/hf-inference/models/{MINILM}/pipeline/feature-extraction"
    assert api.post(path, json={"inputs": "x"}).status_code == 401
