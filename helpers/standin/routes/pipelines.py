"""hf-inference's pipeline routes for embeddings models:
``POST /hf-inference/models/{id}/pipeline/feature-extraction`` and ``…/sentence-similarity``.

huggingface_hub 2.4.0 (``inference/_providers/hf_inference.py``, ``HFInferenceTask._prepare_url``)
sends these two tasks there, because one embeddings model serves both. Feature extraction takes
its options at the body's root (``{"inputs", "normalize", "truncate", …}``, the task's input
spec), sentence similarity ``{"inputs": {"source_sentence", "sentences"}}``. The vectors come
from ``tasks.embed_text``: hashed words, the model's dimension from the catalogue.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..catalog import EMBEDDING_TAGS, hf_inference_model
from ..dependencies import Admission, Usage, admit_model, json_body
from ..errors import validation_error
from ..tasks import handler_for

router = APIRouter(prefix="/hf-inference/models", tags=["hf-inference embeddings"])
TEXTS = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
    ]
}
FEATURE_BODY = {
    "type": "object",
    "required": ["inputs"],
    "properties": {
        "inputs": TEXTS,
        "normalize": {"type": "boolean", "default": True},
        "truncate": {"type": "boolean"},
        "truncation_direction": {"enum": ["left", "right"]},
        "prompt_name": {"type": "string"},
    },
}
SIMILARITY_BODY = {
    "type": "object",
    "required": ["inputs"],
    "properties": {
        "inputs": {
            "type": "object",
            "required": ["source_sentence", "sentences"],
            "properties": {
                "source_sentence": {"type": "string", "minLength": 1},
                "sentences": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            },
        },
        "parameters": {"type": "object"},
    },
}
INVALID = {422: {"description": "Input validation error (JSON `{error, error_type}`)"}}


def _body(schema: dict) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


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


@router.post(
    "/{model_id:path}/pipeline/feature-extraction",
    openapi_extra=_body(FEATURE_BODY),
    responses={
        200: {
            "description": "One vector per input text",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"type": "array", "items": {"type": "number"}},
                    }
                }
            },
        },
        **INVALID,
    },
)
async def feature_extraction(
    model_id: str, request: Request, admission: Admitted, usage: Usage, body: Body
) -> JSONResponse:
    """One vector per input text (an array of arrays), normalised unless ``normalize`` is false."""
    return _answer("feature-extraction", model_id, body, admission, usage)


@router.post(
    "/{model_id:path}/pipeline/sentence-similarity",
    openapi_extra=_body(SIMILARITY_BODY),
    responses={
        200: {
            "description": "One similarity per sentence",
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "number"}}}
            },
        },
        **INVALID,
    },
)
async def sentence_similarity(
    model_id: str, request: Request, admission: Admitted, usage: Usage, body: Body
) -> JSONResponse:
    """The cosine similarity of ``source_sentence`` to each of ``sentences``."""
    return _answer("sentence-similarity", model_id, body, admission, usage)
