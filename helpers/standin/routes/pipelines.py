"""hf-inference's pipeline routes for embeddings models:
``POST /hf-inference/models/{id}/pipeline/feature-extraction`` and ``…/sentence-similarity``.

huggingface_hub 2.4.0 (``inference/_providers/hf_inference.py``, ``HFInferenceTask._prepare_url``)
sends these two tasks there, because one embeddings model serves both. Feature extraction takes
its options at the body's root (``{"inputs", "normalize", "truncate", …}``, the task's input
spec), sentence similarity ``{"inputs": {"source_sentence", "sentences"}}``. The vectors come
from ``tasks.embed_text``: hashed words, the model's dimension from the catalogue.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from ..catalog import EMBEDDING_TAGS, hf_inference_model
from ..dependencies import Admission, Usage, admit_model, json_body
from ..errors import validation_error
from ..schemas import openapi_body
from ..tasks import handler_for

router = APIRouter(prefix="/hf-inference/models", tags=["hf-inference embeddings"])


class FeatureExtractionBody(BaseModel):
    """Feature extraction's input spec: options at the body's root (unknown keys ignored)."""

    model_config = ConfigDict(extra="allow")
    inputs: str | list[str]
    normalize: bool = True
    truncate: bool | None = None
    truncation_direction: Literal["left", "right"] | None = None
    prompt_name: str | None = None


class SimilarityInputs(BaseModel):
    source_sentence: str
    sentences: list[str]


class SentenceSimilarityBody(BaseModel):
    inputs: SimilarityInputs
    parameters: dict[str, Any] | None = None


BODIES = {
    "feature-extraction": FeatureExtractionBody,
    "sentence-similarity": SentenceSimilarityBody,
}
"""The two tasks served here, with their bodies (documented; ``tasks`` checks them)."""


def embeddings_model(model_id: str) -> str | None:
    """Return the id of the embeddings model hf-inference serves as ``model_id``, or None."""
    info = hf_inference_model(model_id)
    return info.id if info is not None and info.pipeline_tag in EMBEDDING_TAGS else None


Admitted = Annotated[Admission, admit_model(embeddings_model)]
Body = Annotated[Any, Depends(json_body)]


def _answer(task: str, model_id: str, body: Any, admission: Admission, usage: Usage):
    if not isinstance(body, dict) or "inputs" not in body:
        raise validation_error("the body must be a JSON object with `inputs`")
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise validation_error("`parameters` must be a JSON object")
    params = {**{k: v for k, v in body.items() if k not in ("inputs", "parameters")}, **params}
    info = hf_inference_model(model_id)
    answer = handler_for(info, task)(body["inputs"], params)
    usage.charge(1)
    headers = {**admission.headers, "x-inference-provider": "hf-inference"}
    return JSONResponse(answer, headers=headers)


for _task, _model in BODIES.items():

    async def pipeline(
        model_id: str, request: Request, admission: Admitted, usage: Usage, body: Body,
        task: str = _task,
    ) -> JSONResponse:  # fmt: skip
        """feature-extraction: one vector per text (normalised unless ``normalize`` is false);
        sentence-similarity: the cosine of ``source_sentence`` to each of ``sentences``."""
        return _answer(task, model_id, body, admission, usage)

    router.add_api_route(
        f"/{{model_id:path}}/pipeline/{_task}", pipeline, methods=["POST"],
        openapi_extra=openapi_body(_model.model_json_schema()), name=_task.replace("-", "_"),
        responses={422: {"description": "Input validation error (JSON `{error, error_type}`)"}},
    )  # fmt: skip
