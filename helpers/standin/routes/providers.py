"""Provider routes: ``router.huggingface.co/{provider}/...`` at the path each client calls.

The official clients read a model's provider mapping from the Hub (``providerId``, the
provider's own model id), then POST to ``https://router.huggingface.co/{provider}`` + the
provider's route, with ``model`` set to that ``providerId``. The routes below are the ones
written in the clients' provider modules:

- huggingface_hub 2.4.0 (PyPI), ``huggingface_hub/inference/_providers/*.py``:
  ``_prepare_route`` of each provider class; ``_common.py`` gives the defaults
  (``BaseConversationalTask`` → ``/v1/chat/completions``, ``BaseTextGenerationTask`` →
  ``/v1/completions``) and ``constants.INFERENCE_PROXY_TEMPLATE`` the router base;
- huggingface.js @ ``fe42e68017ffc76d09922ea8f9b38a6964345710`` (2026-08-21),
  ``packages/inference/src/providers/*.ts``: ``makeRoute`` of each class (defaults in
  ``providerHelper.ts``).

Where the two clients disagree, both paths are served: novita's text generation goes to
``/v3/openai/completions`` in Python but to its chat route in huggingface.js, which also sends
groq's text generation to groq's chat route (both served as chat); only huggingface.js has
ovhcloud's and scaleway's ``/v1/completions``.
``openai`` is left out: both clients refuse to route it through Hugging Face (huggingface_hub
``_providers/openai.py``; huggingface.js ``openai.ts``: ``clientSideRoutingOnly``).
A provider route serves only the models the catalogue lists for that provider; an unknown
``model`` gets a 400 in OpenAI's envelope (the stand-in's wording: the real router passes the
provider's own error through, which differs per provider).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import openai_openapi as openapi
from ..catalog import MODELS, ModelInfo, ProviderOffer
from ..dependencies import admit
from ..openai_compat import Surface, answer_chat, answer_completion, openai_error, read_object
from .openai import response_headers

router = APIRouter(tags=["Inference Providers (provider routes)"])
HUB_SOURCE = "huggingface_hub 2.4.0 inference/_providers/{file}.py"
JS_SOURCE = "huggingface.js@fe42e680 packages/inference/src/providers/{file}.ts"


@dataclass(frozen=True)
class ProviderRoute:
    """One route: provider, task (``conversational`` or ``text-generation``), path, sources."""

    provider: str
    task: str
    path: str
    sources: tuple[str, ...]

    @property
    def url_path(self) -> str:
        return f"/{self.provider}{self.path}"


def _both(provider: str, task: str, path: str, hub_file: str, js_file: str) -> ProviderRoute:
    return ProviderRoute(
        provider,
        task,
        path,
        (HUB_SOURCE.format(file=hub_file), JS_SOURCE.format(file=js_file)),
    )


CHAT = "conversational"
TEXT = "text-generation"
PROVIDER_ROUTES: tuple[ProviderRoute, ...] = (
    _both("baseten", CHAT, "/v1/chat/completions", "baseten", "baseten"),
    _both("cerebras", CHAT, "/v1/chat/completions", "cerebras", "cerebras"),
    _both("cohere", CHAT, "/compatibility/v1/chat/completions", "cohere", "cohere"),
    _both("deepinfra", CHAT, "/v1/openai/chat/completions", "deepinfra", "deepinfra"),
    _both("deepinfra", TEXT, "/v1/openai/completions", "deepinfra", "deepinfra"),
    _both("featherless-ai", CHAT, "/v1/chat/completions", "featherless_ai", "featherless-ai"),
    _both("featherless-ai", TEXT, "/v1/completions", "featherless_ai", "featherless-ai"),
    _both("fireworks-ai", CHAT, "/inference/v1/chat/completions", "fireworks_ai", "fireworks-ai"),
    _both("groq", CHAT, "/openai/v1/chat/completions", "groq", "groq"),
    _both("novita", CHAT, "/v3/openai/chat/completions", "novita", "novita"),
    ProviderRoute("novita", TEXT, "/v3/openai/completions", (HUB_SOURCE.format(file="novita"),)),
    _both("nscale", CHAT, "/v1/chat/completions", "nscale", "nscale"),
    _both("ovhcloud", CHAT, "/v1/chat/completions", "ovhcloud", "ovhcloud"),
    ProviderRoute("ovhcloud", TEXT, "/v1/completions", (JS_SOURCE.format(file="ovhcloud"),)),
    _both("publicai", CHAT, "/v1/chat/completions", "publicai", "publicai"),
    _both("scaleway", CHAT, "/v1/chat/completions", "scaleway", "scaleway"),
    ProviderRoute("scaleway", TEXT, "/v1/completions", (JS_SOURCE.format(file="scaleway"),)),
    _both("together", CHAT, "/v1/chat/completions", "together", "together"),
    _both("together", TEXT, "/v1/completions", "together", "together"),
    _both("zai-org", CHAT, "/api/paas/v4/chat/completions", "zai_org", "zai-org"),
)
"""Every provider route the two official clients call for chat and text generation."""


def provider_id(offer: ProviderOffer, info: ModelInfo) -> str:
    """Return the provider's own id for the model (the Hub mapping's ``providerId``)."""
    return offer.provider_model_id or info.id


def find_offer(provider: str, model: str, task: str) -> tuple[ModelInfo, ProviderOffer] | None:
    """Return the catalogue's (model, offer) whose provider id (or Hub id) is ``model``.

    Chat routes serve the provider's ``conversational`` offers; completion routes serve any of
    its text offers (providers that run vLLM-style servers answer both routes for a model).
    """
    tasks = (CHAT,) if task == CHAT else (CHAT, TEXT)
    for info in MODELS.values():
        for offer in info.offers:
            if offer.provider != provider or offer.task not in tasks:
                continue
            if model in (provider_id(offer, info), info.id):
                return info, offer
    return None


def _handler(route: ProviderRoute):
    surface = Surface(route.provider)
    answer = answer_chat if route.task == CHAT else answer_completion

    async def serve(request: Request) -> Response:
        admission = admit(request, route.provider)
        body = await read_object(request, surface)
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise openai_error(400, "`model` is required", "model")
        found = find_offer(route.provider, model, route.task)
        if found is None:
            raise openai_error(
                400,
                f"The requested model '{model}' is not served by provider '{route.provider}' "
                "(send the provider's own model id, the Hub mapping's providerId)",
                "model",
                "model_not_supported",
            )
        info, offer = found
        headers = response_headers(request, admission, route.provider)
        return await answer(
            request,
            body,
            model=provider_id(offer, info),
            surface=surface,
            admission=admission,
            headers=headers,
            context_length=offer.context_length,
        )

    serve.__name__ = f"{route.provider}_{route.task}".replace("-", "_")
    serve.__doc__ = f"{route.provider}'s {route.task} route. Sources: {'; '.join(route.sources)}."
    return serve


for _route in PROVIDER_ROUTES:
    router.add_api_route(
        _route.url_path,
        _handler(_route),
        methods=["POST"],
        **(openapi.CHAT if _route.task == CHAT else openapi.COMPLETION),
    )
