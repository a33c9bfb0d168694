"""The emulated dedicated Inference Endpoint, gpt2 on TGI at ``/endpoints/gpt2``: TGI's routes
(``router/src/server.rs`` @ ``db931fcf``) but its OpenAI ones (``routes/openai.py``), each past
``admit``: ``POST /`` (compat), ``/generate``, ``/generate_stream``, ``GET /info``, ``/v1/models``,
``/health``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ... import contract
from .. import tgi
from ..body import read_json
from ..dependencies import admit
from ..schemas import CompatGenerateRequest, GenerateRequest, Info, documented

router = APIRouter(prefix=contract.ENDPOINT_PREFIX, tags=["dedicated endpoint (TGI, gpt2)"])


async def _serve(request: Request, *, compat: bool, stream: bool = False) -> Response:
    admission = admit(request, contract.GPT2)
    return await tgi.serve(request, admission, await read_json(request), compat, stream)


@router.post("", **documented(CompatGenerateRequest, "[GenerateResponse], or TGI events"))
@router.post("/", include_in_schema=False)
async def compat_generate(request: Request) -> Response:
    """TGI's compat route: a list with one answer, or a stream when ``stream`` is true."""
    return await _serve(request, compat=True)


@router.post("/generate", **documented(GenerateRequest, "TGI's GenerateResponse"))
async def generate(request: Request) -> Response:
    """TGI's ``/generate``: one ``GenerateResponse`` (``return_full_text`` false by default)."""
    return await _serve(request, compat=False)


@router.post("/generate_stream", **documented(GenerateRequest, "TGI's StreamResponse events"))
async def generate_stream(request: Request) -> Response:
    """TGI's ``/generate_stream``: server-sent events, details last only when asked."""
    return await _serve(request, compat=False, stream=True)


@router.get("/info", response_model=Info)
async def get_info(request: Request) -> Response:
    """TGI's ``Info``: model, limits, router version."""
    return JSONResponse(Info().model_dump(), headers=admit(request, contract.GPT2).headers)


@router.get("/v1/models")
async def list_models(request: Request) -> Response:
    """TGI's ``/v1/models``: the one model served (``created`` 0, owned by itself)."""
    model = {"id": contract.GPT2, "object": "model", "created": 0, "owned_by": contract.GPT2}
    headers = admit(request, contract.GPT2).headers
    return JSONResponse({"object": "list", "data": [model]}, headers=headers)


@router.get("/health", responses={200: {"description": "Healthy (empty body)"}})
@router.get("", include_in_schema=False)
@router.get("/", include_in_schema=False)
async def health(request: Request) -> Response:
    """TGI's health check: 200 with an empty body."""
    return Response(status_code=200, headers=admit(request, contract.GPT2).headers)
