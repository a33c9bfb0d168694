"""The Hub API routes clients call: ``whoami-v2``, model info with its provider mapping, tasks.

Shapes follow hub-docs ``docs/inference-providers/hub-api.md`` (242f4a1e): on model info,
``inferenceProviderMapping`` is an object keyed by provider, each entry with ``status``,
``providerId`` and ``task``; huggingface_hub 2.4.0 (``hf_api.py``, ``ModelInfo.__init__``) and
huggingface.js (``getInferenceProviderMapping.ts``) read that object (and still accept the
older list). ``GET /api/tasks`` is read when no model is given: huggingface_hub 2.4.0
(``_providers/hf_inference.py``, ``_fetch_recommended_models``) takes ``widgetModels[0]``,
huggingface.js 4.13 (``makeRequestOptions.ts``, ``loadTaskInfo``) takes ``models[0].id``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..auth import whoami_body
from ..catalog import (
    CHAT_TASK,
    GPT2,
    HF_INFERENCE,
    MODELS,
    ModelInfo,
    canonical_id,
    is_model_author,
    live_offers,
)
from ..catalog import recommended_models as recommended
from ..dependencies import Options, Token
from ..errors import repo_not_found
from ..options import StandInOptions
from ..profiles import PROFILES, Profile, profile_named

router = APIRouter(prefix="/api", tags=["Hub API"])
NOT_FOUND = {
    404: {
        "description": "Unknown repository (header `X-Error-Code: RepoNotFound`)",
        "content": {"application/json": {"example": {"error": "Repository not found"}}},
    }
}
UNAUTHORIZED = {401: {"description": "Missing or malformed token"}}


@router.get("/whoami-v2", responses=UNAUTHORIZED)
async def whoami(token: Token, options: Options) -> JSONResponse:
    """Who the token belongs to and what it may do (401 for a missing or bad token)."""
    return JSONResponse(whoami_body(token, options))


def provider_mapping(model_id: str, options: StandInOptions) -> dict[str, dict[str, Any]]:
    """Return the model's provider mapping: an object keyed by provider, as on the Hub.

    gpt2 is mapped to no provider when the stand-in is started without gpt2 on the router; the
    today profile maps no hf-inference LLM (``Profile.hf_inference_llms``).
    """
    info = MODELS[model_id]
    mapping: dict[str, dict[str, Any]] = {}
    for offer in live_offers(info, profile_named(options.profile).hf_inference_llms):
        if model_id == GPT2 and offer.provider == HF_INFERENCE and not options.router_serves_gpt2:
            continue
        mapping.setdefault(
            offer.provider,
            {
                "status": "live",
                "providerId": offer.provider_id(model_id),
                "task": offer.task,
                "isModelAuthor": is_model_author(info, offer),
            },
        )
    return mapping


def _hub_fields(info: ModelInfo) -> dict[str, Any]:
    return {
        "modelId": info.id,
        "author": info.id.split("/")[0] if "/" in info.id else None,
        "pipeline_tag": info.pipeline_tag,
        "tags": info.tags,
        "private": False,
        "gated": False,
        "disabled": False,
    }


@router.get("/models")
async def list_models(
    request: Request,
    options: Options,
    inference_provider: str | None = None,
    pipeline_tag: str | None = None,
    search: str | None = None,
) -> JSONResponse:
    """Models, filtered as in hub-api.md: ``inference_provider`` (a comma-separated list, or
    ``all``), ``pipeline_tag``, ``search``. With ``expand[]=inferenceProviderMapping`` each
    entry carries its mapping in the list form (huggingface_hub 2.4.0, ``ModelInfo``: "the API
    returns a dict on model_info and a list on list_models").
    """
    profile: Profile = request.app.state.profile
    wanted = {p for p in (inference_provider or "").split(",") if p}
    expand = request.query_params.getlist("expand[]") + request.query_params.getlist("expand")
    entries = []
    for info in MODELS.values():
        mapping = provider_mapping(info.id, options)
        served_by = set(mapping) if "all" not in wanted else ({"all"} if mapping else set())
        if wanted and not served_by & wanted:
            continue
        if pipeline_tag and info.pipeline_tag != pipeline_tag:
            continue
        if search and search.lower() not in info.id.lower():
            continue
        entry: dict[str, Any] = {"_id": profile.hub_object_id(info.id), "id": info.id}
        fields = _hub_fields(info)
        entry.update(fields if not expand else {k: fields[k] for k in expand if k in fields})
        if "inferenceProviderMapping" in expand:
            entry["inferenceProviderMapping"] = [
                {"provider": provider, "hfModelId": info.id, **value}
                for provider, value in mapping.items()
            ]
        entries.append(entry)
    return JSONResponse(entries)


@router.get("/models/{model_id:path}", responses=NOT_FOUND)
async def model_info(model_id: str, request: Request, options: Options) -> JSONResponse:
    """Model metadata; ``expand[]=inferenceProviderMapping``, ``inference``, ``pipeline_tag``…

    Without ``expand`` the Hub answers its default fields; with it, only the fields asked for.
    """
    repo_id, _, _revision = model_id.partition("/revision/")  # model_info(revision=...)
    canonical = canonical_id(repo_id)
    if canonical is None:
        raise repo_not_found()
    info = MODELS[canonical]
    expand = request.query_params.getlist("expand[]") + request.query_params.getlist("expand")
    mapping = provider_mapping(canonical, options)
    fields = _hub_fields(info)
    profile: Profile = request.app.state.profile
    body: dict[str, Any] = {"_id": profile.hub_object_id(canonical), "id": canonical}
    if not expand:
        body.update(fields)
    body.update({key: fields[key] for key in expand if key in fields})
    if "inferenceProviderMapping" in expand:
        body["inferenceProviderMapping"] = mapping
    if "inference" in expand and mapping:
        body["inference"] = "warm"
    return JSONResponse(body)


def task_entries(
    profile: Profile = PROFILES["teaching"], serves_gpt2: bool = True
) -> dict[str, dict[str, Any]]:
    """Return ``/api/tasks``: per task, its models with the recommended one first.

    gpt2 is left out when the router does not serve it (clients would pick a model that
    answers 404); the today profile describes the models without naming the stand-in.
    """
    chosen = recommended()
    if not serves_gpt2:
        chosen = {task: model for task, model in chosen.items() if model != GPT2}
    tasks: dict[str, list[str]] = {}
    for info in MODELS.values():
        if info.id == GPT2 and not serves_gpt2:
            continue
        for offer in info.offers:
            if offer.provider == HF_INFERENCE and offer.task != CHAT_TASK:
                for task in {offer.task, info.pipeline_tag}:
                    if info.id not in tasks.setdefault(task, []):
                        tasks[task].append(info.id)
    entries = {}
    for task, models in sorted(tasks.items()):
        first = chosen.get(task, models[0])
        ordered = [first] + [m for m in models if m != first]
        entries[task] = {
            "id": task,
            "label": task.replace("-", " ").capitalize(),
            "models": [{"id": m, "description": profile.task_model_description} for m in ordered],
            "widgetModels": [first],
            "summary": f"{task} on the local stand-in (answers come from small rules)."
            if profile.marks_stand_in
            else f"{task.replace('-', ' ').capitalize()}.",
        }
    return entries


@router.get("/tasks")
async def tasks(request: Request) -> JSONResponse:
    """The tasks the stand-in serves, each with its recommended model (no token needed)."""
    options: StandInOptions = request.app.state.options
    return JSONResponse(task_entries(request.app.state.profile, options.router_serves_gpt2))
