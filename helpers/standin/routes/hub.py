"""The Hub routes clients call: ``whoami-v2``, model info with its provider mapping, tasks.

``inferenceProviderMapping`` is keyed by provider (hub-docs' hub-api.md), as huggingface_hub's
``ModelInfo`` and huggingface.js read it. Without a model, huggingface_hub takes ``/api/tasks``'
``widgetModels[0]``, huggingface.js ``models[0].id``.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from .. import catalog
from ..auth import whoami_body
from ..dependencies import Options, Token
from ..errors import repo_not_found
from ..options import StandInOptions
from ..profiles import profile_named

router = APIRouter(prefix="/api", tags=["Hub API"])


@router.get("/whoami-v2")
async def whoami(token: Token, options: Options) -> dict[str, Any]:
    """Who the token belongs to and what it may do (401 for a missing or bad token)."""
    return whoami_body(token, options)


def provider_mapping(model_id: str, options: StandInOptions) -> dict[str, dict[str, Any]]:
    """Return the model's mapping, keyed by provider (gpt2's hf-inference only when served)."""
    info, mapping = catalog.MODELS[model_id], {}
    hidden = model_id == catalog.GPT2 and not options.router_serves_gpt2
    for offer in catalog.live_offers(info, profile_named(options.profile).hf_inference_llms):
        if not (hidden and offer.provider == catalog.HF_INFERENCE):
            entry = dict(status="live", providerId=offer.provider_id(model_id), task=offer.task)
            author = catalog.is_model_author(info, offer)
            mapping.setdefault(offer.provider, entry | {"isModelAuthor": author})
    return mapping


@router.get("/models/{model_id:path}")
async def model_info(model_id: str, request: Request, options: Options) -> dict[str, Any]:
    """Model metadata: the default fields, or only those ``expand[]`` asks for (``inference``,
    ``inferenceProviderMapping``…); ``/revision/<rev>`` is accepted (404: ``RepoNotFound``)."""
    canonical = catalog.canonical_id(model_id.partition("/revision/")[0])
    if canonical is None:
        raise repo_not_found()
    info = catalog.MODELS[canonical]
    body = {"_id": uuid.uuid5(uuid.NAMESPACE_URL, canonical).hex[:24], "id": canonical}
    author = canonical.split("/")[0] if "/" in canonical else None
    fields = dict(modelId=canonical, author=author, pipeline_tag=info.pipeline_tag, tags=info.tags)
    fields |= dict.fromkeys(("private", "gated", "disabled"), False)
    expand = request.query_params.getlist("expand[]") + request.query_params.getlist("expand")
    if not expand:
        return body | fields
    mapping = provider_mapping(canonical, options)
    fields |= {"inferenceProviderMapping": mapping} | ({"inference": "warm"} if mapping else {})
    return body | {key: fields[key] for key in expand if key in fields}


@router.get("/tasks")
async def tasks(options: Options) -> dict[str, Any]:
    """Per hf-inference task its models, the recommended one first (no token needed); gpt2 only
    when the router serves it (clients would pick a model that answers 404)."""
    served: dict[str, dict[str, None]] = {}  # task -> its models, in order, once each
    for info in catalog.MODELS.values():
        for offer in info.offers if info.id != catalog.GPT2 or options.router_serves_gpt2 else ():
            if offer.provider == catalog.HF_INFERENCE and offer.task != catalog.CHAT_TASK:
                for task in (offer.task, info.pipeline_tag):
                    served.setdefault(task, {})[info.id] = None
    entries = {}
    for task, models in sorted(served.items()):
        first = catalog.recommended_models().get(task)
        first = first if first in models else next(iter(models))
        ranked = [{"id": m} for m in sorted(models, key=first.__ne__)]
        entries[task] = {"id": task, "widgetModels": [first], "models": ranked}
    return entries
