"""Provider routes (``/{provider}/...``) and ``/v1/models``, checked against the catalogue and
against the paths huggingface_hub itself builds."""

from __future__ import annotations

import pytest
from huggingface_hub.inference._providers import PROVIDERS

from helpers.standin.catalog import MODELS
from helpers.standin.routes.providers import PROVIDER_PATHS

ROUTER = "https://router.huggingface.co"
MESSAGES = [{"role": "user", "content": "Tell me about the sea"}]
CHAT_ROUTES = {
    p: f"/{p}{path}"
    for p, paths in PROVIDER_PATHS.items()
    for path, t in paths.items()
    if t == "conversational"
}
OFFERS = [
    (info.id, offer.provider, offer.provider_model_id or info.id)
    for info in MODELS.values()
    for offer in info.chat_providers
    if offer.provider != "hf-inference"  # per-model routes: test_completions, test_profiles
]
ROUTED_TASKS = ("conversational", "text-generation")


@pytest.mark.parametrize(
    ("provider", "task"),
    [
        (p, t)
        for p, tasks in PROVIDERS.items()
        for t in tasks
        if t in ROUTED_TASKS and p not in ("hf-inference", "openai")
    ],
)
def test_every_path_huggingface_hub_builds_is_in_the_table(provider, task):
    # Catches: a provider or path the installed client calls but the stand-in does not serve.
    url = PROVIDERS[provider][task]._prepare_url("hf_" + "x" * 34, "some/model")
    served = {f"{ROUTER}/{provider}{path}" for path in PROVIDER_PATHS.get(provider, {})}
    assert url in served


def test_every_catalogue_provider_has_a_chat_route():
    providers = {p for _, p, _ in OFFERS} - {"hf-inference"}
    assert providers <= set(CHAT_ROUTES), providers - set(CHAT_ROUTES)


@pytest.mark.parametrize(("model", "provider", "provider_id"), OFFERS)
def test_each_catalogue_offer_answers_on_its_providers_route(
    api, auth, model, provider, provider_id
):
    # Catches: a route that ignores the provider's own model id, or answers for another provider.
    route = CHAT_ROUTES[provider]
    body = {"model": provider_id, "messages": MESSAGES, "max_tokens": 3}
    response = api.post(route, json=body, headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["x-inference-provider"] == provider
    assert response.json()["model"] == provider_id


def test_completion_routes_answer_too(api, auth):
    model, provider, provider_id = next(o for o in OFFERS if o[1] == "together")
    body = {"model": provider_id, "prompt": "The sea", "max_tokens": 3}
    answer = api.post("/together/v1/completions", json=body, headers=auth).json()
    assert answer["object"] == "text_completion"


def test_a_model_the_provider_does_not_serve_gets_400(api, auth):
    body = {"model": "nobody/nothing", "messages": MESSAGES}
    response = api.post("/groq/openai/v1/chat/completions", json=body, headers=auth)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "model_not_supported"


def test_a_path_outside_the_table_is_the_routers_plain_404(api, auth):
    response = api.post("/together/v2/chat/completions", json={}, headers=auth)
    assert (response.status_code, response.text) == (404, "Not Found")


def test_provider_routes_need_a_token(api):
    body = {"model": "openai/gpt-oss-120b", "messages": MESSAGES}
    assert api.post("/groq/openai/v1/chat/completions", json=body).status_code == 401


def test_models_list_reads_tools_context_and_prices_from_the_catalogue(api):
    # Catches: hard-coded supports_tools=false or invented context lengths.
    data = {m["id"]: m for m in api.get("/v1/models").json()["data"]}
    for info in MODELS.values():
        if not info.is_chat:
            assert info.id not in data
            continue
        entries = {p["provider"]: p for p in data[info.id]["providers"]}
        for offer in info.chat_providers:
            entry = entries[offer.provider]
            assert entry.get("supports_tools") == offer.supports_tools
            assert entry.get("context_length") == offer.context_length
            if offer.input_price is not None:
                assert entry["pricing"] == {
                    "input": offer.input_price,
                    "output": offer.output_price,
                }
            else:
                assert "pricing" not in entry
