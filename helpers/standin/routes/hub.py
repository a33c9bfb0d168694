"""The Hub API routes the lessons use: ``whoami-v2`` and model availability."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..auth import whoami_body
from ..catalog import GPT2, MODELS, canonical_id
from ..dependencies import Options, Token
from ..options import StandInOptions
from ..responses import repo_not_found

router = APIRouter(prefix="/api", tags=["Hub API"])


@router.get("/whoami-v2")
async def whoami(token: Token, options: Options) -> JSONResponse:
    """Who the token belongs to and what it may do (401 for a missing or bad token)."""
    return JSONResponse(whoami_body(token, options))


def provider_mapping(model_id: str, options: StandInOptions) -> list[dict]:
    """Return the model's inference provider mapping in the Hub's list form."""
    if model_id == GPT2 and not options.router_serves_gpt2:
        return []
    info = MODELS[model_id]
    if info.is_chat:
        return [
            {
                "provider": offer.provider,
                "hfModelId": model_id,
                "providerId": model_id,
                "status": "live",
                "task": "conversational",
            }
            for offer in info.chat_providers
        ]
    return [
        {
            "provider": "hf-inference",
            "hfModelId": model_id,
            "providerId": model_id,
            "status": "live",
            "task": info.pipeline_tag,
        }
    ]


@router.get("/models/{model_id:path}")
async def model_info(model_id: str, request: Request) -> JSONResponse:
    """Model metadata; ``expand[]=inferenceProviderMapping`` and ``expand[]=inference``."""
    options: StandInOptions = request.app.state.options
    canonical = canonical_id(model_id)
    if canonical is None:
        raise repo_not_found(model_id)
    expand = request.query_params.getlist("expand[]") + request.query_params.getlist("expand")
    mapping = provider_mapping(canonical, options)
    body: dict = {"_id": f"standin-{canonical}", "id": canonical}
    if not expand:
        body["pipeline_tag"] = MODELS[canonical].pipeline_tag
    if "pipeline_tag" in expand:
        body["pipeline_tag"] = MODELS[canonical].pipeline_tag
    if "inferenceProviderMapping" in expand:
        body["inferenceProviderMapping"] = mapping
    if "inference" in expand and mapping:
        body["inference"] = "warm"
    return JSONResponse(body)
