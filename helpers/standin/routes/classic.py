"""The classic contract at ``POST /models/{id}`` and ``POST /hf-inference/models/{id}``:
``{"inputs", "parameters"}`` in; gpt2 answers as TGI's compat route, other tasks from ``tasks``.
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
from ..schemas import CompatGenerateRequest, documented, parse_task
from ..tasks import answer

router = APIRouter(tags=["text-generation (classic contract)"])
DOCUMENTED = documented(CompatGenerateRequest, "[GenerateResponse], or TGI events with `stream`")


class TaskRequest(BaseModel):
    """Another task's classic body: ``inputs`` (checked by the task) and ``parameters``."""

    model_config = ConfigDict(strict=True)
    inputs: Any
    parameters: dict[str, Any] | None = None


@router.post("/models/{model_id:path}", **DOCUMENTED)
@router.post("/hf-inference/models/{model_id:path}", **DOCUMENTED)
async def classic(model_id: str, request: Request) -> Response:
    """One model's task; gpt2 on the router's path only with ``router_serves_gpt2`` (on the classic
    path also in the teaching profile); hf-inference's LLMs (OpenAI routes only) get a 404."""
    state, on_router = request.app.state, request.url.path.startswith("/hf-inference/")
    served = state.options.router_serves_gpt2 or (
        state.profile.seed_path_serves_gpt2 and not on_router
    )
    info = hf_inference_model(model_id)
    admission = admit(request, info.id if info and (info.id != GPT2 or served) else None)
    body = await read_json(request)
    if on_router:
        admission.headers["x-inference-provider"] = "hf-inference"
    if info.pipeline_tag == "text-generation":
        return await tgi.serve(request, admission, body)
    task = parse_task(TaskRequest, body)
    state.usage.charge(1)
    result = answer(info, task.inputs, dict(task.parameters or {}))
    return JSONResponse(result, headers=admission.headers)
