"""The classic task contract: ``POST /models/{id}`` and the router's
``POST /hf-inference/models/{id}``, ``{"inputs", "parameters"}`` in, the task's JSON out.

Text generation (gpt2) answers plain JSON or server-sent events in TGI's format; the other
tasks (summarization, translation, classification) answer from ``tasks``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from .. import tgi
from ..body import read_json
from ..catalog import GPT2, hf_inference_model
from ..dependencies import admit
from ..errors import validation_error
from ..schemas import CLASSIC_RESPONSES, GenerateRequest, openapi_body
from ..tasks import handler_for
from ..validation import validate_generate

router = APIRouter(tags=["text-generation (classic contract)"])
OPENAPI_BODY = openapi_body(GenerateRequest.model_json_schema())


async def _generate(
    request: Request, model_id: str, served: bool, provider_header: bool
) -> Response:
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
    # TGI's compat route (POST /): its rules and messages; on this route a stream's
    # validation error is answered 422 before the stream starts. hf-inference answers with the
    # prompt + continuation unless return_full_text is false, as TGI's compat route does.
    call = validate_generate(body, request.app.state.generator.count_tokens)
    extra = {"x-inference-provider": "hf-inference"} if provider_header else None
    return await tgi.serve(
        request, admission, call, full_default=True, as_list=True, extra_headers=extra
    )


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
