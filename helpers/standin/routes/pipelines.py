"""hf-inference's pipeline routes for embeddings models:
``POST /hf-inference/models/{id}/pipeline/feature-extraction`` and ``…/sentence-similarity``.

huggingface_hub (``HFInferenceTask._prepare_url``) sends these two tasks there, as one
embeddings model serves both. Feature extraction takes its options at the body's root,
sentence similarity ``{"inputs": {"source_sentence", "sentences"}}``; the bodies are parsed
with the models below, the vectors come from ``tasks.embed_text``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from ..catalog import EMBEDDING_TAGS, hf_inference_model
from ..dependencies import Admission, Usage, admit_model, json_body
from ..schemas import documented
from ..tasks import handler_for
from ..validation import parse_task

router = APIRouter(prefix="/hf-inference/models", tags=["hf-inference embeddings"])


class FeatureExtractionBody(BaseModel):
    """Feature extraction's input spec: options at the body's root (unknown keys kept)."""

    model_config = ConfigDict(extra="allow", strict=True)
    inputs: str | list[str]
    normalize: bool = True
    truncate: bool | None = None
    truncation_direction: Literal["left", "right"] | None = None
    prompt_name: str | None = None
    parameters: dict[str, Any] | None = None


class SimilarityInputs(BaseModel):
    source_sentence: str
    sentences: list[str]


class SentenceSimilarityBody(BaseModel):
    inputs: SimilarityInputs
    parameters: dict[str, Any] | None = None


BODIES: dict[str, type[BaseModel]] = {
    "feature-extraction": FeatureExtractionBody,
    "sentence-similarity": SentenceSimilarityBody,
}


def embeddings_model(model_id: str) -> str | None:
    """Return the id of the embeddings model hf-inference serves as ``model_id``, or None."""
    info = hf_inference_model(model_id)
    return info.id if info is not None and info.pipeline_tag in EMBEDDING_TAGS else None


Admitted = Annotated[Admission, admit_model(embeddings_model)]
Body = Annotated[Any, Depends(json_body)]

for _task, _model in BODIES.items():

    async def pipeline(
        model_id: str, admission: Admitted, usage: Usage, body: Body, task: str = _task
    ) -> JSONResponse:
        """feature-extraction: one vector per text (normalised unless ``normalize`` is false);
        sentence-similarity: the cosine of ``source_sentence`` to each of ``sentences``."""
        parsed = parse_task(BODIES[task], body).model_dump(exclude_unset=True)
        inputs, params = parsed.pop("inputs"), parsed.pop("parameters", None) or {}
        answer = handler_for(hf_inference_model(model_id), task)(inputs, {**parsed, **params})
        usage.charge(1)
        headers = {**admission.headers, "x-inference-provider": "hf-inference"}
        return JSONResponse(answer, headers=headers)

    router.add_api_route(
        f"/{{model_id:path}}/pipeline/{_task}", pipeline, methods=["POST"],
        name=_task.replace("-", "_"), **documented(_model, "The task's answer"),
    )  # fmt: skip
