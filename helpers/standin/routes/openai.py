"""The OpenAI-compatible surface: ``POST /v1/chat/completions`` and ``GET /v1/models``.

Model ids may carry a provider policy suffix, as on the router: ``:fastest`` (the default),
``:cheapest``, ``:preferred``, or a provider name (``openai/gpt-oss-120b:groq``).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..body import read_json
from ..catalog import MODELS, ModelInfo, ProviderOffer, canonical_id
from ..guards import admit
from ..responses import StandInError
from ..textgen import Generation, TextGenerator

router = APIRouter(tags=["OpenAI-compatible chat"])
POLICIES = ("fastest", "cheapest", "preferred")
DEFAULT_MAX_TOKENS = 64
CREATED = 1_764_000_000  # a fixed timestamp for /v1/models entries


def openai_error(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> StandInError:
    """Return an error in OpenAI's shape, as the router sends on this route."""
    return StandInError(
        status,
        {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": param,
                "code": code,
            }
        },
    )


def not_supported(model: str) -> StandInError:
    """Return the router's answer for a model no enabled provider serves."""
    return openai_error(
        400,
        f"The requested model '{model}' is not supported by any provider you have enabled.",
        "model",
        "model_not_supported",
    )


def choose_provider(requested: str) -> tuple[ModelInfo, ProviderOffer]:
    """Return (model, provider offer) for ``model[:policy-or-provider]``; raise the 400 otherwise."""
    base, _, suffix = requested.partition(":")
    canonical = canonical_id(base)
    info = MODELS.get(canonical) if canonical else None
    if info is None or not info.is_chat:
        raise not_supported(requested)
    offers = info.chat_providers
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


def _content(message: Any) -> str:
    if not isinstance(message, dict) or message.get("role") not in (
        "system",
        "user",
        "assistant",
        "tool",
    ):
        raise openai_error(
            400, "each message needs a role: system, user, assistant or tool", "messages"
        )
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    if content is None and message["role"] == "assistant":
        return ""
    raise openai_error(400, "message content must be a string or a list of parts", "messages")


def generation_parameters(body: dict[str, Any]) -> dict[str, Any]:
    """Return TGI-style parameters from OpenAI ones; raise the 400 for a bad value."""
    params: dict[str, Any] = {}
    max_tokens = body.get("max_tokens", body.get("max_completion_tokens", DEFAULT_MAX_TOKENS))
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens <= 0:
        raise openai_error(400, "`max_tokens` must be a positive integer", "max_tokens")
    params["max_new_tokens"] = max_tokens
    temperature = body.get("temperature")
    if temperature is not None:
        if (
            not isinstance(temperature, (int, float))
            or isinstance(temperature, bool)
            or not 0 <= temperature <= 2
        ):
            raise openai_error(400, "`temperature` must be between 0 and 2", "temperature")
        if temperature > 0:  # 0 means greedy on OpenAI-style routes
            params["temperature"] = float(temperature)
    top_p = body.get("top_p")
    if top_p is not None:
        if not isinstance(top_p, (int, float)) or isinstance(top_p, bool) or not 0 < top_p <= 1:
            raise openai_error(400, "`top_p` must be > 0 and <= 1", "top_p")
        if top_p < 1:
            params["top_p"] = float(top_p)
    stop = body.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if stop is not None:
        if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop) or len(stop) > 4:
            raise openai_error(
                400, "`stop` must be a string or a list of at most 4 strings", "stop"
            )
        params["stop"] = stop
    seed = body.get("seed")
    if seed is not None:
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise openai_error(400, "`seed` must be a non-negative integer", "seed")
        params["seed"] = seed
    return params


def _finish(gen: Generation) -> str:
    return "length" if gen.finish_reason == "length" else "stop"


@router.post("/v1/chat/completions")
async def chat_completions(request: Request) -> Response:
    """OpenAI-compatible chat, plain or streamed (``data: {chunk}`` … ``data: [DONE]``)."""
    admission = admit(request, "chat")
    try:
        body = await read_json(request)
    except StandInError as exc:
        raise openai_error(400, exc.body["error"]) from None
    if not isinstance(body, dict):
        raise openai_error(400, "the body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise openai_error(400, "`model` is required", "model")
    info, offer = choose_provider(model)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise openai_error(400, "`messages` must be a non-empty list", "messages")
    texts = [_content(m) for m in messages]
    user_texts = [
        t for m, t in zip(messages, texts, strict=True) if m["role"] == "user" and t.strip()
    ]
    if not user_texts:
        raise openai_error(400, "at least one user message with content is needed", "messages")
    params = generation_parameters(body)
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise openai_error(400, "`stream` must be a boolean", "stream")
    generator: TextGenerator = request.app.state.generator
    # Sampling is on by default on OpenAI-style routes (temperature 1); 0 means greedy.
    if body.get("temperature") != 0:
        params["do_sample"] = True
    prompt = user_texts[-1].rstrip(" ?!.")  # continue the topic, not the question mark
    gen = generator.generate(prompt, params, min_new_tokens=min(8, params["max_new_tokens"]))
    request.app.state.knobs.charge(len(gen.tokens))
    usage = {
        "prompt_tokens": sum(generator.count_tokens(t) for t in texts),
        "completion_tokens": len(gen.tokens),
    }
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    headers = {**admission.headers, "x-inference-provider": offer.provider}
    bill_to = request.headers.get("x-hf-bill-to")
    if bill_to:
        headers["x-standin-billed-to"] = bill_to
    meta = {
        "id": "chatcmpl-standin-" + uuid.uuid4().hex[:12],
        "created": int(time.time()),
        "model": f"{info.id}",
        "system_fingerprint": "stand-in",
    }
    options = request.app.state.options
    if stream:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = _chunks(
            gen,
            meta,
            usage if include_usage else None,
            options.latency_ms_per_token / 1000,
            options.stream_error_after_tokens,
        )
        return StreamingResponse(chunks, media_type="text/event-stream", headers=headers)
    if options.latency_ms_per_token:
        await asyncio.sleep(options.latency_ms_per_token / 1000 * len(gen.tokens))
    answer = {
        **meta,
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": gen.text.strip()},
                "logprobs": None,
                "finish_reason": _finish(gen),
            }
        ],
        "usage": usage,
    }
    return JSONResponse(answer, headers=headers)


async def _chunks(
    gen: Generation, meta: dict, usage: dict | None, delay: float, error_after: int | None
) -> AsyncIterator[str]:
    def chunk(delta: dict, finish: str | None = None) -> str:
        body = {
            **meta,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        return "data: " + json.dumps(body) + "\n\n"

    yield chunk({"role": "assistant", "content": ""})
    visible = [t for t in gen.tokens if not t.special]
    for index, token in enumerate(visible):
        if delay:
            await asyncio.sleep(delay)
        if error_after is not None and index >= error_after:
            error = {
                "error": {"message": "stand-in fault during generation", "type": "server_error"}
            }
            yield "data: " + json.dumps(error) + "\n\n"
            return
        yield chunk({"content": token.text.lstrip() if index == 0 else token.text})
    yield chunk({}, _finish(gen))
    if usage is not None:
        yield (
            "data: "
            + json.dumps({**meta, "object": "chat.completion.chunk", "choices": [], "usage": usage})
            + "\n\n"
        )
    yield "data: [DONE]\n\n"


def model_entry(info: ModelInfo) -> dict[str, Any]:
    """Return one ``/v1/models`` entry, with per-provider status and prices when published."""
    providers = []
    for offer in info.chat_providers:
        entry: dict[str, Any] = {
            "provider": offer.provider,
            "status": "live",
            "context_length": offer.context_length,
            "supports_tools": False,
            "supports_structured_output": False,
        }
        if offer.input_price is not None:
            entry["pricing"] = {"input": offer.input_price, "output": offer.output_price}
        providers.append(entry)
    return {
        "id": info.id,
        "object": "model",
        "created": CREATED,
        "owned_by": info.id.split("/")[0],
        "providers": providers,
    }


@router.get("/v1/models")
async def list_models() -> JSONResponse:
    """The chat models and their providers (no token needed, as on the router)."""
    return JSONResponse(
        {"object": "list", "data": [model_entry(i) for i in MODELS.values() if i.is_chat]}
    )


@router.get("/v1/models/{model_id:path}")
async def get_model(model_id: str) -> JSONResponse:
    """One chat model, or 404."""
    canonical = canonical_id(model_id)
    info = MODELS.get(canonical) if canonical else None
    if info is None or not info.is_chat:
        raise openai_error(404, f"Model {model_id!r} not found", "model", "model_not_found")
    return JSONResponse(model_entry(info))
