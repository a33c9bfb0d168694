"""The OpenAI-compatible routes of the router, of hf-inference and of the emulated endpoint.

- ``POST /v1/chat/completions``: the router's OpenAI-compatible chat. Model ids may carry a
  provider policy suffix: ``:fastest`` (the default), ``:cheapest``, ``:preferred``, or a
  provider name (``openai/gpt-oss-120b:groq``). The router has no ``/v1/completions``: "This
  OpenAI-compatible endpoint is currently available for chat completion tasks only" (hub-docs
  ``docs/inference-providers/index.md`` @ ``242f4a1e``), so the stand-in has none either.
- ``GET /v1/models`` and ``/v1/models/{id}``: the chat models and their providers.
- ``POST /hf-inference/models/{id}/v1/completions`` and ``.../v1/chat/completions``: where
  huggingface.js sends hf-inference text generation and chat since 2026-05-20 (huggingface.js
  ``packages/inference/src/providers/hf-inference.ts`` @ ``fe42e680``,
  ``HFInferenceTextGenerationTask`` / ``HFInferenceConversationalTask``).
- ``POST /endpoints/gpt2/v1/completions`` and ``.../v1/chat/completions``: the emulated dedicated
  endpoint, a TGI server running gpt2. Its completions keep TGI's validation (``top_p`` must be
  > 0.0 and < 1.0, so 1.0 is a 422; in a stream the error is one ``{"error": {"message",
  "http_status_code": 422}}`` event, ``into_openai_event`` in ``router/src/infer/mod.rs``) and
  ignore ``top_k`` (``server.rs`` l.781-786 sets ``top_k: None``; the answer's
  ``x-standin-ignored-fields`` names it). gpt2 has no chat template, so TGI answers chat with 422
  ``{"error": "Template error: template not found", "error_type": "template_error"}``
  (text-generation-inference ``router/src/infer/mod.rs`` @ ``db931fcf``: ``apply_chat_template``
  raises ``TemplateError(ErrorKind::TemplateNotFound)``, mapped to 422 and ``template_error`` in
  ``router/src/server.rs``; minijinja's text for that kind is "template not found").
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
from ..openai_compat import (
    HF_INFERENCE,
    ROUTER,
    TGI_ENDPOINT,
    answer_chat,
    answer_completion,
    openai_error,
    read_object,
)
from ..openai_openapi import CHAT, COMPLETION, ENDPOINT_CHAT, ENDPOINT_COMPLETION, MODEL_NOT_FOUND
from ..responses import StandInError

router = APIRouter(tags=["OpenAI-compatible"])
CREATED = 1_764_000_000  # a fixed timestamp for /v1/models entries
TEMPLATE_NOT_FOUND = {"error": "Template error: template not found", "error_type": "template_error"}


def not_supported(model: str) -> StandInError:
    """Return the router's answer for a model no enabled provider serves."""
    return openai_error(
        400, MODEL_NOT_SUPPORTED_MESSAGE.format(model=model), "model", "model_not_supported"
    )


def chat_offers(info: ModelInfo | None, hf_inference_llms: bool = True) -> list[ProviderOffer]:
    """Return the providers that serve ``info`` for chat under a profile (see ``live_offers``)."""
    if info is None:
        return []
    return [o for o in live_offers(info, hf_inference_llms) if o.task == CHAT_TASK]


def choose_provider(
    requested: str, hf_inference_llms: bool = True
) -> tuple[ModelInfo, ProviderOffer]:
    """Return (model, provider offer) for ``model[:policy-or-provider]``; raise the 400 otherwise."""
    base, _, suffix = requested.partition(":")
    canonical = canonical_id(base)
    info = MODELS.get(canonical) if canonical else None
    served = chat_offers(info, hf_inference_llms)
    offers = [o for o in served if o.provider != "hf-inference"] or served
    if not offers:
        raise not_supported(requested)
    if suffix in ("", "fastest", "preferred"):
        return info, offers[0]  # the stand-in has no speed data: its first provider
    if suffix == "cheapest":
        priced = [o for o in offers if o.input_price is not None]
        return info, min(
            priced or offers, key=lambda o: (o.input_price or 0) + (o.output_price or 0)
        )
    for offer in offers:
        if offer.provider == suffix:
            return info, offer
    raise not_supported(requested)


def response_headers(request: Request, admission: Any, provider: str | None) -> dict[str, str]:
    """Return the answer's headers: rate-limit ones, the provider, the billing acknowledgement."""
    headers = dict(admission.headers)
    if provider:
        headers["x-inference-provider"] = provider
    bill_to = request.headers.get("x-hf-bill-to")
    if bill_to:
        headers["x-standin-billed-to"] = bill_to
    return headers


@router.post("/v1/chat/completions", **CHAT)
async def chat_completions(request: Request) -> Response:
    """OpenAI-compatible chat, plain or streamed (``data: {chunk}`` … ``data: [DONE]``)."""
    admission = admit(request, "chat")
    body = await read_object(request, ROUTER)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise openai_error(400, "`model` is required", "model")
    info, offer = choose_provider(model, request.app.state.profile.hf_inference_llms)
    headers = response_headers(request, admission, offer.provider)
    return await answer_chat(
        request,
        body,
        model=info.id,
        surface=ROUTER,
        admission=admission,
        headers=headers,
        context_length=offer.context_length,
    )


# --- hf-inference's per-model OpenAI routes ---------------------------------------------------


def hf_inference_text_model(model_id: str, request: Request) -> tuple[ModelInfo | None, bool]:
    """Return (model, has a chat template) if hf-inference serves ``model_id`` for text.

    The catalogue decides: an hf-inference offer for ``text-generation`` (completions only) or
    ``conversational`` (both routes). gpt2 is served only with the ``router_serves_gpt2`` knob
    (the teaching profile).
    """
    canonical = canonical_id(model_id)
    info = MODELS.get(canonical) if canonical else None
    if info is None:
        return None, False
    if info.id == GPT2 and not request.app.state.options.router_serves_gpt2:
        return None, False
    served = live_offers(info, request.app.state.profile.hf_inference_llms)
    tasks = {o.task for o in served if o.provider == "hf-inference"}
    if "conversational" in tasks:
        return info, True
    if "text-generation" in tasks:
        return info, False
    return None, False


def hf_inference_context(info: ModelInfo) -> int | None:
    """Return the context length the catalogue gives for the model on hf-inference."""
    return next((o.context_length for o in info.offers if o.provider == "hf-inference"), None)


@router.post("/hf-inference/models/{model_id:path}/v1/completions", **COMPLETION)
async def hf_inference_completions(model_id: str, request: Request) -> Response:
    """OpenAI completions for one hf-inference text-generation model (vLLM's route)."""
    info, _ = hf_inference_text_model(model_id, request)
    admission = admit(request, info.id if info else None)
    body = await read_object(request, HF_INFERENCE)
    headers = response_headers(request, admission, "hf-inference")
    return await answer_completion(
        request,
        body,
        model=info.id,
        surface=HF_INFERENCE,
        admission=admission,
        headers=headers,
        context_length=hf_inference_context(info),
    )


@router.post("/hf-inference/models/{model_id:path}/v1/chat/completions", **CHAT)
async def hf_inference_chat(model_id: str, request: Request) -> Response:
    """OpenAI chat for one hf-inference model; a model without a chat template gets 400."""
    info, chat = hf_inference_text_model(model_id, request)
    admission = admit(request, info.id if info else None)
    body = await read_object(request, HF_INFERENCE)
    if not chat:
        # vLLM refuses chat for a tokenizer without a chat template (400, its message names
        # the cause); the stand-in says the same in OpenAI's envelope.
        raise openai_error(
            400,
            f"{info.id} has no chat template: it is a base model; use /v1/completions "
            "with a `prompt` instead",
            "messages",
            "chat_template_missing",
        )
    headers = response_headers(request, admission, "hf-inference")
    return await answer_chat(
        request,
        body,
        model=info.id,
        surface=HF_INFERENCE,
        admission=admission,
        headers=headers,
        context_length=hf_inference_context(info),
    )


# --- the emulated dedicated endpoint (TGI running gpt2) ---------------------------------------


@router.post(ENDPOINT_PREFIX + "/v1/completions", **ENDPOINT_COMPLETION)
async def endpoint_completions(request: Request) -> Response:
    """TGI's ``/v1/completions`` on the emulated gpt2 endpoint."""
    admission = admit(request, GPT2)
    body = await read_object(request, TGI_ENDPOINT)
    return await answer_completion(
        request,
        body,
        model=GPT2,
        surface=TGI_ENDPOINT,
        admission=admission,
        headers=dict(admission.headers),
        context_length=MAX_TOTAL_TOKENS,
    )


@router.post(ENDPOINT_PREFIX + "/v1/chat/completions", **ENDPOINT_CHAT)
async def endpoint_chat(request: Request) -> Response:
    """TGI's ``/v1/chat/completions`` on gpt2: 422 ``template_error`` (no chat template)."""
    admission = admit(request, GPT2)
    await read_object(request, TGI_ENDPOINT)
    raise StandInError(422, dict(TEMPLATE_NOT_FOUND), headers=dict(admission.headers))


# --- /v1/models -------------------------------------------------------------------------------


ARCHITECTURE = {"input_modalities": ["text"], "output_modalities": ["text"]}
"""The stand-in's models read and write text (hub-docs ``hub-api.md``'s ``architecture``)."""


def model_entry(info: ModelInfo, hf_inference_llms: bool = True) -> dict[str, Any]:
    """Return one ``/v1/models`` entry, with per-provider status, context, tools and prices.

    The fields of hub-docs ``docs/inference-providers/hub-api.md`` ("List OpenAI-compatible
    models", ``83390574``, 2026-05-12, and ``is_free``, ``18e36a33``, 2026-06-17):
    ``architecture`` per model; per provider ``status`` (``live`` or ``error``; the stand-in's
    are live), ``context_length``, ``pricing``, ``supports_tools``,
    ``supports_structured_output``, ``first_token_latency_ms`` and ``throughput`` "when
    available" (the catalogue's source gives them, or hub-docs' example does:
    ``DOCUMENTED_PERFORMANCE``), ``is_model_author``, and ``is_free`` (a temporary promotion;
    the stand-in runs none, so false).
    """
    providers = []
    for offer in chat_offers(info, hf_inference_llms):
        entry: dict[str, Any] = {"provider": offer.provider, "status": "live"}
        # Fields the catalogue's source does not give are left out, as the router omits them.
        if offer.context_length is not None:
            entry["context_length"] = offer.context_length
        if offer.input_price is not None:
            entry["pricing"] = {"input": offer.input_price, "output": offer.output_price}
        if offer.supports_tools is not None:
            entry["supports_tools"] = offer.supports_tools
        if offer.supports_structured_output is not None:
            entry["supports_structured_output"] = offer.supports_structured_output
        performance = DOCUMENTED_PERFORMANCE.get((info.id, offer.provider))
        if performance is not None:
            entry["first_token_latency_ms"], entry["throughput"] = performance
        entry["is_model_author"] = is_model_author(info, offer)
        entry["is_free"] = False
        providers.append(entry)
    return {
        "id": info.id,
        "object": "model",
        "created": CREATED,
        "owned_by": info.id.split("/")[0],
        "architecture": ARCHITECTURE,
        "providers": providers,
    }


@router.get("/v1/models")
async def list_models(request: Request) -> JSONResponse:
    """The chat models and their providers (no token needed, as on the router)."""
    llms = request.app.state.profile.hf_inference_llms
    entries = [model_entry(i, llms) for i in MODELS.values() if chat_offers(i, llms)]
    return JSONResponse({"object": "list", "data": entries})


@router.get("/v1/models/{model_id:path}", responses={404: MODEL_NOT_FOUND})
async def get_model(model_id: str, request: Request) -> JSONResponse:
    """One chat model, or 404."""
    canonical = canonical_id(model_id)
    info = MODELS.get(canonical) if canonical else None
    llms = request.app.state.profile.hf_inference_llms
    if info is None or not chat_offers(info, llms):
        raise openai_error(404, f"Model {model_id!r} not found", "model", "model_not_found")
    return JSONResponse(model_entry(info, llms))
