"""The emulated dedicated Inference Endpoint: gpt2 on TGI, at the base ``/endpoints/gpt2``.

``HF_ENDPOINT_URL`` is an endpoint's *base* URL, as Hugging Face shows it; under it TGI serves
(``router/src/server.rs`` @ ``db931fcf``, the ``route(...)`` table):

- ``POST /``: the compat route, ``{"inputs", "parameters", "stream"}`` → ``[{generated_text}]``
  or TGI events; ``return_full_text`` defaults to true for a text-generation model
  (``compat_return_full_text``);
- ``POST /generate`` → ``{generated_text, details?}``, ``return_full_text`` false by default;
- ``POST /generate_stream`` → TGI events (``data:{…}``, no ``[DONE]``). Validation errors
  arrive as one ``{"error", "error_type": "validation"}`` event after a 200, as TGI sends them
  from inside its stream;
- ``GET /info`` (TGI's ``Info``), ``GET /health`` (200, empty body), ``GET /`` (health too).

Its ``/v1/completions`` and ``/v1/chat/completions`` live in ``routes/providers.py``/``openai.py``.
A protected Endpoint needs a bearer token on every route, so every route passes ``admit``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ... import contract
from .. import tgi
from ..body import read_json
from ..dependencies import admit
from ..errors import StandInError
from ..schemas import (
    CLASSIC_RESPONSES,
    GENERATE_BODY_SCHEMA,
    GENERATE_RESPONSES,
    STREAM_RESPONSES,
    GenerateRequest,
    Info,
    openapi_body,
)
from ..validation import validate_generate

PREFIX = contract.ENDPOINT_PREFIX
router = APIRouter(prefix=PREFIX, tags=["dedicated endpoint (TGI, gpt2)"])


def info() -> dict:
    """Return TGI's ``Info`` for the emulated endpoint (launcher defaults for gpt2)."""
    return Info(
        model_id=contract.GPT2,
        model_sha=None,
        model_pipeline_tag="text-generation",
        max_concurrent_requests=128,
        max_best_of=contract.MAX_BEST_OF,
        max_stop_sequences=contract.MAX_STOP_SEQUENCES,
        max_input_tokens=contract.MAX_INPUT_TOKENS,
        max_total_tokens=contract.MAX_TOTAL_TOKENS,
        validation_workers=2,
        max_client_batch_size=4,
        router="text-generation-router",
        version=contract.TGI_VERSION,
        sha=None,
        docker_label=None,
    ).model_dump()


async def _validation_event(error: StandInError) -> AsyncIterator[str]:
    yield tgi.stream_error(error.body["error"], error.body.get("error_type", "validation"))


async def _serve(request: Request, *, compat: bool, force_stream: bool) -> Response:
    admission = admit(request, contract.GPT2)
    body = await read_json(request)
    struct = "CompatGenerateRequest" if compat else "GenerateRequest"
    count = request.app.state.generator.count_tokens
    try:
        call = validate_generate(
            body, count, struct=struct, stream_field=compat, force_stream=force_stream
        )
    except StandInError as error:
        # TGI validates a stream inside it: the 200 is sent, then one error event.
        streaming = force_stream or (compat and isinstance(body, dict) and body.get("stream"))
        if streaming and error.surface != "text":
            events = _validation_event(error)
            return StreamingResponse(
                events, media_type="text/event-stream", headers=admission.headers
            )
        raise
    # compat_return_full_text for a text-generation model; /generate defaults to false
    return await tgi.serve(request, admission, call, full_default=compat, as_list=compat)


@router.post(
    "", openapi_extra=openapi_body(GenerateRequest.model_json_schema()), responses=CLASSIC_RESPONSES
)
@router.post(
    "/",
    openapi_extra=openapi_body(GenerateRequest.model_json_schema()),
    responses=CLASSIC_RESPONSES,
    include_in_schema=False,
)
async def compat_generate(request: Request) -> Response:
    """TGI's compat route: a list with one answer, or a stream when ``stream`` is true."""
    return await _serve(request, compat=True, force_stream=False)


@router.post(
    "/generate", openapi_extra=openapi_body(GENERATE_BODY_SCHEMA), responses=GENERATE_RESPONSES
)
async def generate(request: Request) -> Response:
    """TGI's ``/generate``: one ``GenerateResponse`` (``return_full_text`` false by default)."""
    return await _serve(request, compat=False, force_stream=False)


@router.post(
    "/generate_stream", openapi_extra=openapi_body(GENERATE_BODY_SCHEMA), responses=STREAM_RESPONSES
)
async def generate_stream(request: Request) -> Response:
    """TGI's ``/generate_stream``: server-sent events, details last only when asked."""
    return await _serve(request, compat=False, force_stream=True)


@router.get("/info", response_model=Info)
async def get_info(request: Request) -> Response:
    """TGI's ``Info``: model, limits, router version."""
    admission = admit(request, contract.GPT2)
    return JSONResponse(info(), headers=admission.headers)


@router.get(
    "/v1/models", responses={200: {"description": "TGI's ModelsInfo: the one model served"}}
)
async def list_models(request: Request) -> Response:
    """TGI's ``/v1/models``: the served model as OpenAI's list (``router/src/server.rs``
    ``openai_get_model_info`` @ ``db931fcf``: ``created`` 0, ``owned_by`` the model id)."""
    admission = admit(request, contract.GPT2)
    model = {"id": contract.GPT2, "object": "model", "created": 0, "owned_by": contract.GPT2}
    return JSONResponse({"object": "list", "data": [model]}, headers=admission.headers)


@router.get("/health", responses={200: {"description": "Healthy (empty body)"}})
@router.get("", include_in_schema=False)
@router.get("/", include_in_schema=False)
async def health(request: Request) -> Response:
    """TGI's health check: 200 with an empty body."""
    admission = admit(request, contract.GPT2)
    return Response(status_code=200, headers=admission.headers)
