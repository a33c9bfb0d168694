"""The OpenAI-compatible routes of the router, of hf-inference and of the emulated endpoint.

- ``POST /v1/chat/completions``: the router's chat. A model id may carry a policy suffix:
  ``:fastest`` (the default), ``:cheapest``, ``:preferred``, or a provider name
  (``openai/gpt-oss-120b:groq``). The router has no ``/v1/completions`` (hub-docs
  ``docs/inference-providers/index.md`` @ ``242f4a1e``: "chat completion tasks only").
- ``POST /v1/responses``: the Responses API (beta), ``serving.responses``.
- ``GET /v1/models`` and ``/v1/models/{id}``: the chat models and their providers.
- ``POST /hf-inference/models/{id}/v1/completions`` and ``.../v1/chat/completions``: where
  huggingface.js sends hf-inference text generation and chat (``providers/hf-inference.ts`` @
  ``fe42e680``); a model without a chat template gets vLLM's 400.
- ``POST /endpoints/gpt2/v1/completions`` and ``.../v1/chat/completions``: the emulated TGI
  endpoint running gpt2 (TGI's rules on completions, ``serving.completions``); gpt2 has no chat
  template, so chat is TGI's 422 ``template_error`` (``router/src/infer/mod.rs`` @
  ``db931fcf``, ``apply_chat_template``; minijinja's "template not found").
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from openai.types import Model

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
from ..serving.chat import answer_chat
from ..serving.completions import answer_completion
from ..serving.openai import (
    HF_INFERENCE,
    ROUTER,
    TGI_ENDPOINT,
    ignored,
    openai_error,
    read_object,
    stream,
)
from ..serving.responses import respond, response_events

router = APIRouter(tags=["OpenAI-compatible"])
CHAT, COMPLETION = openapi_body(ChatRequest), openapi_body(CompletionRequest)
CREATED = 1_764_000_000  # a fixed timestamp for /v1/models entries
ARCHITECTURE = {"input_modalities": ["text"], "output_modalities": ["text"]}
"""The stand-in's models read and write text (hub-docs ``hub-api.md``'s ``architecture``)."""


def chat_offers(info: ModelInfo | None, hf_inference_llms: bool = True) -> list[ProviderOffer]:
    """Return the providers that serve ``info`` for chat under a profile (see ``live_offers``)."""
    return [o for o in live_offers(info, hf_inference_llms) if o.task == CHAT_TASK] if info else []


def choose_provider(
    requested: Any, hf_inference_llms: bool = True
) -> tuple[ModelInfo, ProviderOffer]:
    """Return (model, offer) for ``model[:policy-or-provider]``; raise the router's 400."""
    if not isinstance(requested, str) or not requested:
        raise openai_error(400, "`model` is required", "model")
    base, _, suffix = requested.partition(":")
    info = MODELS.get(canonical_id(base) or "")
    served = chat_offers(info, hf_inference_llms)
    offers = [o for o in served if o.provider != "hf-inference"] or served
    if suffix == "cheapest":
        offers.sort(
            key=lambda o: (o.input_price is None, (o.input_price or 0) + (o.output_price or 0))
        )
    elif suffix not in ("", "fastest", "preferred"):  # the stand-in has no speed data
        offers = [o for o in offers if o.provider == suffix]
    if not offers:
        message = MODEL_NOT_SUPPORTED_MESSAGE.format(model=requested)
        raise openai_error(400, message, "model", "model_not_supported")
    return info, offers[0]


def response_headers(request: Request, admission: Any, provider: str | None) -> dict[str, str]:
    """Return the answer's headers: rate-limit ones, the provider, the billing acknowledgement."""
    headers = dict(admission.headers)
    if provider:
        headers["x-inference-provider"] = provider
    if request.headers.get("x-hf-bill-to"):
        headers["x-standin-billed-to"] = request.headers["x-hf-bill-to"]
    return headers


@router.post("/v1/chat/completions", **CHAT)
async def chat_completions(request: Request) -> Response:
    """OpenAI-compatible chat, plain or streamed (``data: {chunk}`` … ``data: [DONE]``)."""
    admission = admit(request, "chat")
    body = await read_object(request, ROUTER)
    info, offer = choose_provider(body.get("model"), request.app.state.profile.hf_inference_llms)
    headers = response_headers(request, admission, offer.provider)
    return await answer_chat(
        request, body, model=info.id, surface=ROUTER, admission=admission, headers=headers,
        context_length=offer.context_length,
    )  # fmt: skip


@router.post("/v1/responses", **openapi_body(ResponsesRequest))
async def create_response(request: Request) -> Response:
    """The Responses API (beta): a ``response`` object, or ``response.*`` events with ``stream``."""
    admission = admit(request, "chat")
    body = await read_object(request, ROUTER)
    info, offer = choose_provider(body.get("model"), request.app.state.profile.hf_inference_llms)
    req, answer, chat = respond(request, body, info.id, ROUTER)
    headers = ignored(req, response_headers(request, admission, offer.provider))
    if req.stream:
        return stream(
            response_events(answer, chat, request.app.state.options.stream_delay_s), headers
        )
    return JSONResponse(answer.model_dump(mode="json", exclude_unset=True), headers=headers)


def hf_inference_model(
    model_id: str, request: Request, chat: bool
) -> tuple[ModelInfo | None, int | None]:
    """Return (model, context length) if hf-inference serves ``model_id`` for text; chat on a
    model with no chat template (a ``text-generation`` offer only) is vLLM's 400."""
    info = MODELS.get(canonical_id(model_id) or "")
    if info is None or (info.id == GPT2 and not request.app.state.options.router_serves_gpt2):
        return None, None
    offers = [
        o
        for o in live_offers(info, request.app.state.profile.hf_inference_llms)
        if o.provider == "hf-inference"
    ]
    tasks = {o.task for o in offers}
    if "conversational" not in tasks and "text-generation" not in tasks:
        return None, None
    if chat and "conversational" not in tasks:
        admit(request, info.id)
        raise openai_error(
            400,
            f"{info.id} has no chat template: it is a base model; use /v1/completions "
            "with a `prompt` instead",
            "messages", "chat_template_missing",
        )  # fmt: skip
    return info, next((o.context_length for o in info.offers if o.provider == "hf-inference"), None)


async def hf_inference(model_id: str, request: Request, chat: bool) -> Response:
    """Serve one hf-inference model's OpenAI chat or completions (vLLM's routes)."""
    info, context = hf_inference_model(model_id, request, chat=chat)
    admission = admit(request, info.id if info else None)
    body = await read_object(request, HF_INFERENCE)
    headers = response_headers(request, admission, "hf-inference")
    answer = answer_chat if chat else answer_completion
    return await answer(
        request, body, model=info.id, surface=HF_INFERENCE, admission=admission, headers=headers,
        context_length=context,
    )  # fmt: skip


@router.post("/hf-inference/models/{model_id:path}/v1/completions", **COMPLETION)
async def hf_inference_completions(model_id: str, request: Request) -> Response:
    """OpenAI completions for one hf-inference text-generation model."""
    return await hf_inference(model_id, request, chat=False)


@router.post("/hf-inference/models/{model_id:path}/v1/chat/completions", **CHAT)
async def hf_inference_chat(model_id: str, request: Request) -> Response:
    """OpenAI chat for one hf-inference model with a chat template."""
    return await hf_inference(model_id, request, chat=True)


@router.post(ENDPOINT_PREFIX + "/v1/completions", **COMPLETION)
async def endpoint_completions(request: Request) -> Response:
    """TGI's ``/v1/completions`` on the emulated gpt2 endpoint."""
    admission = admit(request, GPT2)
    body = await read_object(request, TGI_ENDPOINT)
    return await answer_completion(
        request, body, model=GPT2, surface=TGI_ENDPOINT, admission=admission,
        headers=dict(admission.headers), context_length=MAX_TOTAL_TOKENS,
    )  # fmt: skip


@router.post(ENDPOINT_PREFIX + "/v1/chat/completions", **CHAT)
async def endpoint_chat(request: Request) -> Response:
    """TGI's ``/v1/chat/completions`` on gpt2: 422 ``template_error`` (no chat template)."""
    admission = admit(request, GPT2)
    await read_object(request, TGI_ENDPOINT)
    raise StandInError(
        422,
        "Template error: template not found",
        kind="template_error",
        headers=dict(admission.headers),
    )


def model_entry(info: ModelInfo, hf_inference_llms: bool = True) -> Model:
    """Return one ``/v1/models`` entry, as hub-docs ``hub-api.md`` lists them (``83390574``,
    ``is_free`` ``18e36a33``): ``architecture``; per provider ``status``, ``context_length``,
    ``pricing``, ``supports_tools``, ``supports_structured_output``, ``first_token_latency_ms``
    and ``throughput`` when the catalogue (or hub-docs' example) gives them, ``is_model_author``,
    ``is_free`` (a promotion the stand-in runs none of). Unknown fields are left out."""
    providers = []
    for offer in chat_offers(info, hf_inference_llms):
        latency, throughput = DOCUMENTED_PERFORMANCE.get((info.id, offer.provider), (None, None))
        entry = {
            "provider": offer.provider, "status": "live", "context_length": offer.context_length,
            "pricing": {"input": offer.input_price, "output": offer.output_price}
            if offer.input_price is not None else None,
            "supports_tools": offer.supports_tools,
            "supports_structured_output": offer.supports_structured_output,
            "first_token_latency_ms": latency, "throughput": throughput,
        }  # fmt: skip
        entry = {k: v for k, v in entry.items() if v is not None}
        providers.append(
            {**entry, "is_model_author": is_model_author(info, offer), "is_free": False}
        )
    return Model(
        id=info.id, object="model", created=CREATED, owned_by=info.id.split("/")[0],
        architecture=ARCHITECTURE, providers=providers,
    )  # fmt: skip


@router.get("/v1/models")
async def list_models(request: Request) -> JSONResponse:
    """The chat models and their providers (no token needed, as on the router)."""
    llms = request.app.state.profile.hf_inference_llms
    entries = [
        model_entry(i, llms).model_dump(exclude_unset=True)
        for i in MODELS.values()
        if chat_offers(i, llms)
    ]
    return JSONResponse({"object": "list", "data": entries})


@router.get("/v1/models/{model_id:path}")
async def get_model(model_id: str, request: Request) -> JSONResponse:
    """One chat model, or 404."""
    info = MODELS.get(canonical_id(model_id) or "")
    llms = request.app.state.profile.hf_inference_llms
    if info is None or not chat_offers(info, llms):
        raise openai_error(404, f"Model {model_id!r} not found", "model", "model_not_found")
    return JSONResponse(model_entry(info, llms).model_dump(exclude_unset=True))
