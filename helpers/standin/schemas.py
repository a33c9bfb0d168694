"""TGI's request bodies and ``Info`` as pydantic models, for the OpenAPI document.

The routes validate bodies with ``validation.py`` (serde's wording, then ``contract.TGI_RULES``)
so that the answers are TGI's and not pydantic's; answers are TGI's shapes as documented by
huggingface_hub's ``TextGenerationOutput`` / ``TextGenerationStreamOutput`` (tests check them
against TGI's own OpenAPI schemas). Fields follow ``router/src/lib.rs`` @ ``db931fcf``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..contract import MAX_BEST_OF, MAX_STOP_SEQUENCES, MAX_TOP_N_TOKENS


class Grammar(BaseModel):
    """``{"type": "json" | "json_object" | "json_schema" | "regex", "value": ...}``."""

    type: Literal["json", "json_object", "json_schema", "regex"]
    value: Any = Field(
        ...,
        description="A JSON schema (json), {name?, schema} (json_schema) or a regex (regex). "
        "The stand-in answers a value valid for the schema, or a string matching a simple "
        "regex; what it cannot honour gets 422.",
    )


class GenerateParameters(BaseModel):
    """TGI's text-generation parameters (unknown keys are ignored, as TGI does)."""

    model_config = ConfigDict(extra="allow")

    best_of: int | None = Field(
        None, gt=0, le=MAX_BEST_OF, description="Needs sampling; no seed; no stream."
    )
    temperature: float | None = Field(None, gt=0)
    repetition_penalty: float | None = Field(None, gt=0)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    top_k: int | None = Field(None, gt=0)
    top_p: float | None = Field(None, gt=0, lt=1)
    typical_p: float | None = Field(None, gt=0, lt=1)
    do_sample: bool = False
    max_new_tokens: int | None = Field(None, gt=0)
    return_full_text: bool | None = None
    stop: list[str] = Field(default_factory=list, max_length=MAX_STOP_SEQUENCES)
    truncate: int | None = Field(None, gt=0, description="Keep only the last N prompt tokens.")
    watermark: bool = Field(
        False,
        description="Applied as TGI does (green list +2.0), with numpy's generator: a real "
        "detector for gpt2 would not recognise it.",
    )
    details: bool = False
    decoder_input_details: bool = Field(False, description="Prompt log-probs; not with stream.")
    seed: int | None = Field(None, ge=0)
    top_n_tokens: int | None = Field(None, ge=0, le=MAX_TOP_N_TOKENS)
    grammar: Grammar | None = None
    adapter_id: str | None = Field(
        None, description="No adapters are loaded: the base model answers, as in TGI."
    )


class GenerateRequest(BaseModel):
    """The classic ``{"inputs", "parameters", "stream"}`` contract (TGI's compat route)."""

    model_config = ConfigDict(extra="allow")

    inputs: str = Field(..., min_length=1)
    parameters: GenerateParameters | None = None
    stream: bool = False


class Info(BaseModel):
    """TGI's ``GET /info``."""

    model_id: str
    model_sha: str | None
    model_pipeline_tag: str | None
    max_concurrent_requests: int
    max_best_of: int
    max_stop_sequences: int
    max_input_tokens: int
    max_total_tokens: int
    validation_workers: int
    max_client_batch_size: int
    router: str
    version: str
    sha: str | None
    docker_label: str | None


def inline_refs(schema: Any, defs: dict[str, Any] | None = None) -> Any:
    """Return ``schema`` with every local ``#/$defs/X`` reference replaced by its definition.

    A body schema placed in the OpenAPI document through ``openapi_extra`` keeps pydantic's
    ``$defs``, which nothing at the document's root resolves; inlining removes them.
    """
    if defs is None and isinstance(schema, dict):
        defs = schema.get("$defs", {})
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return inline_refs(defs[ref.split("/")[-1]], defs)
        return {k: inline_refs(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [inline_refs(v, defs) for v in schema]
    return schema


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid token"},
    404: {"description": "Model not served: plain text `Not Found`"},
    422: {"description": "Input validation error `{error, error_type}`, or serde's plain text"},
    429: {"description": "Rate limit (stand-in knob)"},
}
CLASSIC_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "A list with one TGI GenerateResponse, or TGI events with `stream`"},
    **_ERRORS,
}
GENERATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "TGI's GenerateResponse"},
    **_ERRORS,
}
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "TGI's StreamResponse events; a validation error is one event"},
    **_ERRORS,
}


def openapi_body(schema: dict[str, Any]) -> dict[str, Any]:
    """Return an ``openapi_extra`` that documents a required JSON body with ``schema``."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_refs(schema)}},
        }
    }


GENERATE_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["inputs"],
    "properties": {
        "inputs": {"type": "string"},
        "parameters": GenerateParameters.model_json_schema(),
    },
    "$defs": GenerateParameters.model_json_schema().get("$defs", {}),
}
"""``/generate`` and ``/generate_stream``: the compat body without ``stream``."""
