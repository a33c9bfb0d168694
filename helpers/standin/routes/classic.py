"""The classic task contract: ``POST /models/{id}`` and the router's
``POST /hf-inference/models/{id}``, ``{"inputs", "parameters"}`` in, the task's JSON out.

Text generation (gpt2) answers as TGI's compat route (JSON or TGI's events); the other tasks
(summarization, translation, classification...) answer from ``tasks``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from .. import tgi
from ..body import read_json
from ..catalog import GPT2, hf_inference_model
from ..dependencies import admit
from ..schemas import CompatGenerateRequest, documented, rust
from ..tasks import handler_for
from ..validation import parse_task, validate_generate

router = APIRouter(tags=["text-generation (classic contract)"])
DOCUMENTED = documented(CompatGenerateRequest, "[GenerateResponse], or TGI events with `stream`")


class TaskRequest(BaseModel):
    """Another task's classic body: ``inputs`` (checked by the task) and ``parameters``."""

    model_config = ConfigDict(extra="allow")
    inputs: Any
    parameters: dict[str, Any] | None = rust("a map")


async def _generate(request: Request, model_id: str, served: bool, router_path: bool) -> Response:
    # hf_inference_model is None for hf-inference's LLMs (served on the OpenAI routes only):
    # the classic body gets the router's plain-text 404 (huggingface.js PR #2180).
    info = hf_inference_model(model_id)
    if info is not None and info.id == GPT2 and not served:
        info = None
    admission = admit(request, info.id if info else None)
    body = await read_json(request)
    extra = {"x-inference-provider": "hf-inference"} if router_path else {}
    if info.pipeline_tag != "text-generation":
        task = parse_task(TaskRequest, body)
        request.app.state.usage.charge(1)
        answer = handler_for(info)(task.inputs, dict(task.parameters or {}))
        return JSONResponse(answer, headers={**admission.headers, **extra})
    # TGI's compat route: its rules; a stream's validation error is a 422 before it starts.
    call = validate_generate(body, request.app.state.generator.count_tokens)
    return await tgi.serve(request, admission, call, extra)


@router.post("/models/{model_id:path}", **DOCUMENTED)
async def generate_classic(model_id: str, request: Request) -> Response:
    """The classic path (a dedicated endpoint's, or the seed's URL shape); the today profile
    plays a router that serves gpt2 nowhere, so there it is the plain-text 404 too."""
    state = request.app.state
    served = state.profile.seed_path_serves_gpt2 or state.options.router_serves_gpt2
    return await _generate(request, model_id, served=served, router_path=False)


@router.post("/hf-inference/models/{model_id:path}", **DOCUMENTED)
async def generate_router(model_id: str, request: Request) -> Response:
    """The router's hf-inference path (gpt2 only when ``router_serves_gpt2``)."""
    served = request.app.state.options.router_serves_gpt2
    return await _generate(request, model_id, served=served, router_path=True)
