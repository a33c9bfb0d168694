"""The OpenAI-compatible routes: the router's ``/v1/chat/completions`` (a model id may end in
``:fastest``, ``:cheapest``, ``:preferred`` or a provider), ``/v1/responses`` and ``/v1/models``
(no ``/v1/completions``); hf-inference's ``/hf-inference/models/{id}/v1/...`` (vLLM's routes:
a base model has no chat); the emulated endpoint's ``/endpoints/gpt2/v1/...`` (TGI's: gpt2 has no
chat template, so chat is TGI's 422).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ...contract import ENDPOINT_PREFIX, GPT2, MAX_TOTAL_TOKENS, MODEL_NOT_SUPPORTED_MESSAGE
from ..catalog import (
    CHAT_TASK,
    DOCUMENTED_PERFORMANCE,
    MODELS,
    ModelInfo,
    ProviderOffer,
    canonical_id,
    is_model_author,
    live_offers,
)
from ..dependencies import admit
from ..errors import StandInError
from ..protocol import ChatRequest, CompletionRequest, ResponsesRequest, openapi_body
from ..serving.openai import Call, answer, read_object, stream
from ..serving.responses import respond, response_events

router = APIRouter(tags=["OpenAI-compatible"])
CHAT, COMPLETION = openapi_body(ChatRequest), openapi_body(CompletionRequest)
HF_INFERENCE = "/hf-inference/models/{model_id:path}/v1"


def chat_offers(info: ModelInfo | None, llms: bool = True) -> list[ProviderOffer]:
    """Return the providers that serve ``info`` for chat under a profile (see ``live_offers``)."""
    return [o for o in live_offers(info, llms) if o.task == CHAT_TASK] if info else []


def choose_provider(requested: Any, llms: bool = True) -> tuple[ModelInfo, ProviderOffer]:
    """Return (model, offer) for ``model[:policy-or-provider]``; raise the router's 400."""
    if not isinstance(requested, str) or not requested:
        raise StandInError(400, "`model` is required", param="model")
    base, _, suffix = requested.partition(":")
    info = MODELS.get(canonical_id(base) or "")
    served = chat_offers(info, llms)
    offers = [o for o in served if o.provider != "hf-inference"] or served
    if suffix == "cheapest":
        offers.sort(
            key=lambda o: (o.input_price is None, (o.input_price or 0) + (o.output_price or 0))
        )
    elif suffix not in ("", "fastest", "preferred"):  # the stand-in has no speed data
        offers = [o for o in offers if o.provider == suffix]
    if not offers:
        message = MODEL_NOT_SUPPORTED_MESSAGE.format(model=requested)
        raise StandInError(400, message, param="model", code="model_not_supported")
    return info, offers[0]


def routed_call(request: Request, admission: Any, provider: str, model: str, context: int) -> Call:
    """Return a routed answer's Call; its headers: rate limits, provider, billing acknowledgement."""
    headers = dict(admission.headers) | {"x-inference-provider": provider}
    if request.headers.get("x-hf-bill-to"):
        headers["x-standin-billed-to"] = request.headers["x-hf-bill-to"]
    return Call(model, admission, headers, context)


async def routed(request: Request) -> tuple[dict, Call]:
    """Return (body, call) for a router request: its model's provider, by policy or by name."""
    admission = admit(request, "chat")
    body = await read_object(request, False)
    llms = request.app.state.profile.hf_inference_llms
    info, offer = choose_provider(body.get("model"), llms)
    return body, routed_call(request, admission, offer.provider, info.id, offer.context_length)


@router.post("/v1/chat/completions", **CHAT)
async def chat_completions(request: Request) -> Response:
    """OpenAI-compatible chat, plain or streamed (``data: {chunk}`` … ``data: [DONE]``)."""
    body, call = await routed(request)
    return await answer(request, body, True, call)


@router.post("/v1/responses", **openapi_body(ResponsesRequest))
async def create_response(request: Request) -> Response:
    """The Responses API (beta): a ``response`` object, or ``response.*`` events with ``stream``."""
    body, call = await routed(request)
    req, response, chat = respond(request, body, call)
    if req.stream:
        delay = request.app.state.options.stream_delay_s
        return stream(response_events(response, chat, delay), call.headers)
    return JSONResponse(response.model_dump(mode="json", exclude_unset=True), headers=call.headers)


@router.post(HF_INFERENCE + "/completions", **COMPLETION)
@router.post(HF_INFERENCE + "/chat/completions", **CHAT)
async def hf_inference(model_id: str, request: Request) -> Response:
    """One hf-inference model's OpenAI chat (a model with a chat template) or completions."""
    chat = request.url.path.endswith("/chat/completions")
    info = MODELS.get(canonical_id(model_id) or "")
    if info is not None and info.id == GPT2 and not request.app.state.options.router_serves_gpt2:
        info = None
    llms = request.app.state.profile.hf_inference_llms
    offers = [o for o in live_offers(info, llms) if o.provider == "hf-inference"] if info else []
    tasks = {o.task for o in offers}
    if chat and "text-generation" in tasks and "conversational" not in tasks:
        admit(request, info.id)
        message = f"{info.id} has no chat template: it is a base model; use /v1/completions with a `prompt` instead"
        raise StandInError(400, message, param="messages", code="chat_template_missing")
    ok = tasks & {"conversational", "text-generation"}
    admission = admit(request, info.id if ok else None)
    body = await read_object(request, False)
    call = routed_call(request, admission, "hf-inference", info.id, offers[0].context_length)
    return await answer(request, body, chat, call)


@router.post(ENDPOINT_PREFIX + "/v1/completions", **COMPLETION)
@router.post(ENDPOINT_PREFIX + "/v1/chat/completions", **CHAT)
async def endpoint(request: Request) -> Response:
    """TGI's OpenAI routes on the emulated gpt2 endpoint; chat is TGI's 422 ``template_error``."""
    admission = admit(request, GPT2)
    body, headers = await read_object(request, True), dict(admission.headers)
    if request.url.path.endswith("/chat/completions"):
        message = "Template error: template not found"
        raise StandInError(422, message, kind="template_error", headers=headers)
    call = Call(GPT2, admission, headers, MAX_TOTAL_TOKENS, tgi=True)
    return await answer(request, body, False, call)


def model_entry(info: ModelInfo, llms: bool = True) -> dict[str, Any]:
    """Return one ``/v1/models`` entry with the provider fields hub-docs ``hub-api.md`` lists;
    fields the catalogue does not give are left out."""
    from openai.types import Model  # imported when used: see serving/__init__

    providers = []
    for offer in chat_offers(info, llms):
        latency, throughput = DOCUMENTED_PERFORMANCE.get((info.id, offer.provider), (None, None))
        price = {"input": offer.input_price, "output": offer.output_price}
        entry = {
            "provider": offer.provider,
            "status": "live",
            "context_length": offer.context_length,
            "pricing": price if offer.input_price is not None else None,
            "supports_tools": offer.supports_tools,
            "supports_structured_output": offer.supports_structured_output,
            "first_token_latency_ms": latency,
            "throughput": throughput,
            "is_model_author": is_model_author(info, offer),
            "is_free": False,
        }
        providers.append({k: v for k, v in entry.items() if v is not None})
    modalities = {"input_modalities": ["text"], "output_modalities": ["text"]}
    entry = Model(id=info.id, object="model", created=1_764_000_000, owned_by=info.id.split("/")[0])
    return entry.model_dump() | {"architecture": modalities, "providers": providers}


@router.get("/v1/models")
async def list_models(request: Request) -> JSONResponse:
    """The chat models and their providers (no token needed, as on the router)."""
    llms = request.app.state.profile.hf_inference_llms
    entries = [model_entry(i, llms) for i in MODELS.values() if chat_offers(i, llms)]
    return JSONResponse({"object": "list", "data": entries})
