"""hf-inference's embeddings pipelines, where huggingface_hub sends both tasks (``POST
/hf-inference/models/{id}/pipeline/feature-extraction``, ``…/sentence-similarity``): bodies
parsed with huggingface_hub's input types as strict pydantic models, answers from ``tasks``."""

from __future__ import annotations

import dataclasses
import typing
from typing import Annotated, Any

import huggingface_hub as hf
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, create_model

from ..catalog import EMBEDDING_TAGS, hf_inference_model
from ..dependencies import Admission, Usage, admit_model, json_body
from ..schemas import documented, parse_task
from ..tasks import answer

router = APIRouter(prefix="/hf-inference/models", tags=["hf-inference embeddings"])


def model_of(spec: type) -> type[BaseModel]:
    """Return a strict pydantic model of one of huggingface_hub's generated input types."""
    hints = typing.get_type_hints(spec)
    fields: dict[str, Any] = {"parameters": (dict[str, Any] | None, None)}
    fields |= {
        f.name: (
            model_of(hints[f.name]) if dataclasses.is_dataclass(hints[f.name]) else hints[f.name],
            ... if f.default is dataclasses.MISSING else f.default,
        )
        for f in dataclasses.fields(spec)
    }
    config = ConfigDict(strict=True, extra="allow")
    return create_model(spec.__name__, __config__=config, **fields)  # type: ignore[call-overload]


BODIES = {
    "feature-extraction": model_of(hf.FeatureExtractionInput),  # options at the body's root
    "sentence-similarity": model_of(hf.SentenceSimilarityInput),
}


def embeddings_model(model_id: str) -> str | None:
    """Return the id of the embeddings model hf-inference serves as ``model_id``, or None."""
    info = hf_inference_model(model_id)
    return info.id if info and info.pipeline_tag in EMBEDDING_TAGS else None


Admitted = Annotated[Admission, admit_model(embeddings_model)]
Body = Annotated[Any, Depends(json_body)]

for _task, _model in BODIES.items():

    async def pipeline(
        model_id: str, admission: Admitted, usage: Usage, body: Body, task: str = _task
    ) -> JSONResponse:
        """One vector per text, or the cosine of ``source_sentence`` to each of ``sentences``."""
        parsed = parse_task(BODIES[task], body).model_dump(exclude_unset=True)
        inputs, params = parsed.pop("inputs"), parsed.pop("parameters", None) or {}
        result = answer(hf_inference_model(model_id), inputs, {**parsed, **params}, task)
        usage.charge(1)
        headers = {**admission.headers, "x-inference-provider": "hf-inference"}
        return JSONResponse(result, headers=headers)

    _path, _docs = f"/{{model_id:path}}/pipeline/{_task}", documented(_model, "The task's answer")
    router.add_api_route(_path, pipeline, methods=["POST"], name=_task.replace("-", "_"), **_docs)
