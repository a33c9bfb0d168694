"""The classic task contract: ``POST /models/{id}`` and the router's
``POST /hf-inference/models/{id}``, ``{"inputs", "parameters"}`` in, the task's JSON out.

Text generation (gpt2) answers plain JSON or server-sent events in TGI's format; the other
tasks (summarization, translation, classification) answer from ``tasks``.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from .. import tgi
from ..body import read_json
from ..catalog import GPT2, hf_inference_model
from ..dependencies import admit, broken_body
from ..errors import validation_error
from ..options import StandInOptions
from ..profiles import Profile
from ..schemas import CLASSIC_RESPONSES, GenerateRequest, openapi_body
from ..tasks import handler_for
from ..textgen import TextGenerator
from ..validation import validate_generate

router = APIRouter(tags=["text-generation (classic contract)"])
OPENAPI_BODY = openapi_body(GenerateRequest.model_json_schema())


def generation_headers(
    admission_headers: dict[str, str], seconds: float, gen, credits_left, profile: Profile
):
    """Return TGI's answer headers (``x-compute-*``, token counts) plus the stand-in's own.

    The stand-in's own (``x-standin-credits-left-usd``) only where the profile marks answers.
    """
    headers = {
        **admission_headers,
        "x-compute-type": profile.compute_type,
        "x-compute-time": f"{seconds:.3f}",
        "x-prompt-tokens": str(gen.input_length),
        "x-generated-tokens": str(len(gen.tokens)),
    }
    if credits_left is not None and profile.marks_stand_in:
        headers["x-standin-credits-left-usd"] = f"{credits_left:.6f}"
    return headers


async def _generate(
    request: Request, model_id: str, served: bool, provider_header: bool
) -> Response:
    options: StandInOptions = request.app.state.options
    generator: TextGenerator = request.app.state.generator
    # hf_inference_model is None for hf-inference's LLMs (served on the OpenAI routes only):
    # the classic body to one gets the router's plain-text 404. INFERRED from huggingface.js
    # PR #2180 ("only expose the OpenAI-compatible endpoints"); see profiles.py.
    info = hf_inference_model(model_id)
    if info is not None and info.id == GPT2 and not served:
        info = None
    admission = admit(request, info.id if info else None)
    body = await read_json(request)
    if info.pipeline_tag != "text-generation":
        if not isinstance(body, dict):
            raise validation_error("the body must be a JSON object with `inputs`")
        if "inputs" not in body:
            raise validation_error("missing field `inputs`")
        raw_params = body.get("parameters")
        if raw_params is not None and not isinstance(raw_params, dict):
            raise validation_error("`parameters` must be a JSON object")
        request.app.state.usage.charge(1)
        answer = handler_for(info)(body["inputs"], dict(raw_params or {}))
        headers = dict(admission.headers)
        if provider_header:
            headers["x-inference-provider"] = "hf-inference"
        return JSONResponse(answer, headers=headers)
    # TGI's compat route (POST /): its rules and messages (validation.py); on this route a
    # stream's validation error is answered 422 before the stream starts.
    call = validate_generate(body, generator.count_tokens)
    gen = tgi.run(generator, call)
    seconds, credits_left = request.app.state.usage.charge(len(gen.tokens))
    headers = generation_headers(
        admission.headers, seconds, gen, credits_left, request.app.state.profile
    )
    if provider_header:
        headers["x-inference-provider"] = "hf-inference"
    delay = options.latency_ms_per_token / 1000.0
    # hf-inference answers text-generation with the prompt + continuation unless
    # return_full_text is false (TGI's compat route does the same for text-generation models).
    if call.stream:
        events = tgi.stream_events(
            call,
            gen,
            True,
            options.stream_delay_s,
            options.stream_error_after_tokens,
            tgi.stream_fault(request.app.state.profile),
        )
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)
    if delay:
        await asyncio.sleep(delay * len(gen.tokens))
    if admission.drop:
        return StreamingResponse(broken_body('[{"generated_text": "'), headers=headers)
    return JSONResponse([tgi.response(call, gen, True)], headers=headers)


@router.post("/models/{model_id:path}", openapi_extra=OPENAPI_BODY, responses=CLASSIC_RESPONSES)
async def generate_classic(model_id: str, request: Request) -> Response:
    """The classic path, as a dedicated endpoint or the seed's URL shape serves it.

    gpt2 is served here in the teaching profile (lessons run offline); the today profile plays
    a router that serves gpt2 nowhere, so this path answers its plain-text 404 too.
    """
    served = (
        request.app.state.profile.seed_path_serves_gpt2
        or request.app.state.options.router_serves_gpt2
    )
    return await _generate(request, model_id, served=served, provider_header=False)


@router.post(
    "/hf-inference/models/{model_id:path}",
    openapi_extra=OPENAPI_BODY,
    responses=CLASSIC_RESPONSES,
)
async def generate_router(model_id: str, request: Request) -> Response:
    """The router's hf-inference path (gpt2 only when ``router_serves_gpt2``)."""
    served = request.app.state.options.router_serves_gpt2
    return await _generate(request, model_id, served=served, provider_header=True)
