"""The classic task contract: ``POST /models/{id}`` and the router's
``POST /hf-inference/models/{id}``, ``{"inputs", "parameters"}`` in, the task's JSON out.

Text generation (gpt2) answers plain JSON or server-sent events in TGI's format; the other
tasks (summarization, translation, classification) answer from ``tasks``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ...client.payload import check_rules
from ..body import read_json
from ..catalog import GPT2, hf_inference_model
from ..events import tgi_event
from ..guards import admit, broken_body
from ..options import StandInOptions
from ..responses import validation_error
from ..schemas import GenerateRequest
from ..tasks import HANDLERS
from ..textgen import Generation, TextGenerator

router = APIRouter(tags=["text-generation (classic contract)"])
OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": GenerateRequest.model_json_schema()}},
    }
}


def _details(gen: Generation, params: dict[str, Any], stream: bool) -> dict[str, Any]:
    details: dict[str, Any] = {
        "finish_reason": gen.finish_reason,
        "generated_tokens": len(gen.tokens),
        "seed": gen.seed,
    }
    if stream:
        details["input_length"] = gen.input_length
        return details
    details["prefill"] = []
    details["tokens"] = [t.to_dict() for t in gen.tokens]
    return details


def _full_text(gen: Generation, params: dict[str, Any]) -> str:
    # The classic route answers with the prompt + continuation for text-generation models,
    # unless return_full_text is false (hf-api-facts.md §2).
    full = params.get("return_full_text", True)
    return (gen.prompt + gen.text) if full else gen.text


async def _generate(
    request: Request, model_id: str, served: bool, provider_header: bool
) -> Response:
    options: StandInOptions = request.app.state.options
    generator: TextGenerator = request.app.state.generator
    info = hf_inference_model(model_id)
    if info is not None and info.id == GPT2 and not served:
        info = None
    admission = admit(request, info.id if info else None)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise validation_error("the body must be a JSON object with `inputs`")
    if "inputs" not in body:
        raise validation_error("missing field `inputs`")
    raw_params = body.get("parameters")
    if raw_params is not None and not isinstance(raw_params, dict):
        raise validation_error("`parameters` must be a JSON object")
    params = dict(raw_params or {})
    if info.pipeline_tag != "text-generation":
        request.app.state.knobs.charge(1)
        answer = HANDLERS[info.pipeline_tag](body["inputs"], params)
        headers = dict(admission.headers)
        if provider_header:
            headers["x-inference-provider"] = "hf-inference"
        return JSONResponse(answer, headers=headers)
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise validation_error("`stream` must be a boolean")
    inputs = body["inputs"]
    tokens = generator.count_tokens(inputs) if isinstance(inputs, str) else None
    problems = check_rules(inputs, params, input_tokens=tokens, stream=stream)
    if problems:
        raise validation_error(problems[0].server_message)
    gen = generator.generate(inputs, params if raw_params is not None else None)
    seconds, credits_left = request.app.state.knobs.charge(len(gen.tokens))
    headers = {
        **admission.headers,
        "x-compute-type": "stand-in-cpu",
        "x-compute-time": f"{seconds:.3f}",
        "x-prompt-tokens": str(gen.input_length),
        "x-generated-tokens": str(len(gen.tokens)),
    }
    if credits_left is not None:
        headers["x-standin-credits-left-usd"] = f"{credits_left:.6f}"
    if provider_header:
        headers["x-inference-provider"] = "hf-inference"
    delay = options.latency_ms_per_token / 1000.0
    if stream:
        events = _events(gen, params, delay, options.stream_error_after_tokens)
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)
    if delay:
        await asyncio.sleep(delay * len(gen.tokens))
    item: dict[str, Any] = {"generated_text": _full_text(gen, params)}
    if params.get("details"):
        item["details"] = _details(gen, params, stream=False)
    if admission.drop:
        return StreamingResponse(broken_body('[{"generated_text": "'), headers=headers)
    return JSONResponse([item], headers=headers)


async def _events(
    gen: Generation, params: dict[str, Any], delay: float, error_after: int | None
) -> AsyncIterator[str]:
    """Yield TGI stream events: ``data:{…}`` (no space), details in the last, no [DONE].

    With ``error_after``, an error event replaces the rest of the stream, as TGI sends one.
    """
    last = len(gen.tokens) - 1
    for index, token in enumerate(gen.tokens):
        if delay:
            await asyncio.sleep(delay)
        if error_after is not None and index >= error_after:
            error = {
                "error": "Request failed during generation: stand-in fault",
                "error_type": "generation",
            }
            yield tgi_event(error)
            return
        event = {
            "index": index + 1,
            "token": token.to_dict(),
            "generated_text": _full_text(gen, params) if index == last else None,
            "details": _details(gen, params, stream=True) if index == last else None,
        }
        yield tgi_event(event)


@router.post("/models/{model_id:path}", openapi_extra=OPENAPI_BODY)
async def generate_classic(model_id: str, request: Request) -> Response:
    """The classic path, as a dedicated endpoint or the seed's URL shape serves it."""
    return await _generate(request, model_id, served=True, provider_header=False)


@router.post("/hf-inference/models/{model_id:path}", openapi_extra=OPENAPI_BODY)
async def generate_router(model_id: str, request: Request) -> Response:
    """The router's hf-inference path (gpt2 only when ``router_serves_gpt2``)."""
    served = request.app.state.options.router_serves_gpt2
    return await _generate(request, model_id, served=served, provider_header=True)
