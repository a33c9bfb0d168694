"""Provider routes as data: ``/{provider}/...`` at the paths huggingface_hub 2.4.0
(``_providers/*.py``) and huggingface.js @ ``fe42e680`` call for chat and text
(``PROVIDER_PATHS``; where they disagree both are served). One route serves the table, only for
the models the catalogue lists for that provider, by the provider's own id.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..catalog import MODELS, ModelInfo, ProviderOffer
from ..dependencies import admit
from ..errors import StandInError, not_found
from ..serving.openai import answer, read_object
from .openai import routed_call

router = APIRouter(tags=["Inference Providers (provider routes)"])
CHAT, TEXT = "conversational", "text-generation"
_V1 = {"/v1/chat/completions": CHAT, "/v1/completions": TEXT}
PROVIDER_PATHS: dict[str, dict[str, str]] = {
    "baseten": {"/v1/chat/completions": CHAT},
    "cerebras": {"/v1/chat/completions": CHAT},
    "cohere": {"/compatibility/v1/chat/completions": CHAT},
    "deepinfra": {"/v1/openai/chat/completions": CHAT, "/v1/openai/completions": TEXT},
    "featherless-ai": _V1,
    "fireworks-ai": {"/inference/v1/chat/completions": CHAT},
    "groq": {"/openai/v1/chat/completions": CHAT},
    "novita": {"/v3/openai/chat/completions": CHAT, "/v3/openai/completions": TEXT},
    "nscale": {"/v1/chat/completions": CHAT},
    "ovhcloud": _V1,
    "publicai": {"/v1/chat/completions": CHAT},
    "scaleway": _V1,
    "together": _V1,
    "zai-org": {"/api/paas/v4/chat/completions": CHAT},
}
"""provider -> {path: task}: every route the two official clients call for chat and text."""


def provider_id(offer: ProviderOffer, info: ModelInfo) -> str:
    """Return the provider's own id for the model (the Hub mapping's ``providerId``)."""
    return offer.provider_model_id or info.id


def find_offer(provider: str, model: str, task: str) -> tuple[ModelInfo, ProviderOffer] | None:
    """Return the (model, offer) whose provider id (or Hub id) is ``model``: chat routes serve
    the provider's chat offers, completion routes any of its text offers."""
    tasks = (CHAT,) if task == CHAT else (CHAT, TEXT)
    for info in MODELS.values():
        for offer in info.offers:
            mine = offer.provider == provider and offer.task in tasks
            if mine and model in (provider_id(offer, info), info.id):
                return info, offer
    return None


@router.post("/{provider}/{path:path}")
async def provider_route(provider: str, path: str, request: Request) -> Response:
    """A provider's chat or completions route (``PROVIDER_PATHS``); other paths: 404."""
    task = PROVIDER_PATHS.get(provider, {}).get("/" + path)
    if task is None:
        raise not_found()
    admission = admit(request, provider)
    body = await read_object(request, False)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise StandInError(400, "`model` is required", param="model")
    found = find_offer(provider, model, task)
    if found is None:
        message = (
            f"The requested model '{model}' is not served by provider '{provider}' "
            "(send the provider's own model id, the Hub mapping's providerId)"
        )
        raise StandInError(400, message, param="model", code="model_not_supported")
    info, offer = found
    call = routed_call(request, admission, provider, provider_id(offer, info), offer.context_length)
    return await answer(request, body, task == CHAT, call)
