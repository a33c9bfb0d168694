"""TGI's request bodies and ``Info`` as pydantic models, for parsing and the OpenAPI document.

Fields follow ``router/src/lib.rs`` @ ``db931fcf``, strict as serde is, each naming its serde
type (``x-rust-type``, for ``validation``'s messages); the limits are ``contract.TGI_RULES``'.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .. import contract


def rust(expected: str, default: Any = None, **constraints: Any) -> Any:
    """Return a strict field whose serde type reads ``expected`` (``i32``, ``a boolean``...)."""
    return Field(default, strict=True, json_schema_extra={"x-rust-type": expected}, **constraints)


def _int(expected: str, bits: int, signed: bool = False) -> Any:
    return rust(expected, ge=-(2 ** (bits - 1)) if signed else 0, le=2 ** (bits - signed) - 1)


class GenerateParameters(BaseModel):
    """TGI's text-generation parameters (unknown keys are ignored, as TGI does)."""

    best_of: int | None = _int("usize", 64)
    temperature: float | None = rust("f32")
    repetition_penalty: float | None = rust("f32")
    frequency_penalty: float | None = rust("f32")
    top_k: int | None = _int("i32", 32, signed=True)
    top_p: float | None = rust("f32")
    typical_p: float | None = rust("f32")
    do_sample: bool = rust("a boolean", False)
    max_new_tokens: int | None = _int("u32", 32)
    return_full_text: bool | None = rust("a boolean")
    stop: list[str] = rust("a sequence", [])
    truncate: int | None = _int("usize", 64)
    watermark: bool = rust("a boolean", False)
    details: bool = rust("a boolean", False)
    decoder_input_details: bool = rust("a boolean", False)
    seed: int | None = _int("u64", 64)
    top_n_tokens: int | None = _int("u32", 32)
    grammar: Any = Field(None, description="Not emulated (validation.DEFAULT_ONLY): a 422.")
    adapter_id: str | None = rust("a string", description="No adapter: the base model answers.")


class GenerateRequest(BaseModel):
    """``/generate`` and ``/generate_stream``: ``{"inputs", "parameters"}``."""

    inputs: str = rust("a string", ...)
    parameters: GenerateParameters = Field(default_factory=GenerateParameters)


class CompatGenerateRequest(GenerateRequest):
    """The classic contract (TGI's compat route ``POST /``): ``stream`` too."""

    stream: bool = rust("a boolean", False)


class Info(BaseModel):
    """TGI's ``GET /info``, with the launcher's defaults for the emulated gpt2 endpoint."""

    model_id: str = contract.GPT2
    model_sha: str | None = None
    model_pipeline_tag: str | None = "text-generation"
    max_concurrent_requests: int = 128
    max_best_of: int = contract.MAX_BEST_OF
    max_stop_sequences: int = contract.MAX_STOP_SEQUENCES
    max_input_tokens: int = contract.MAX_INPUT_TOKENS
    max_total_tokens: int = contract.MAX_TOTAL_TOKENS
    validation_workers: int = 2
    max_client_batch_size: int = 4
    router: str = "text-generation-router"
    version: str = contract.TGI_VERSION
    sha: str | None = None
    docker_label: str | None = None


def inline_refs(schema: Any, defs: dict[str, Any] | None = None) -> Any:
    """Return ``schema`` with every local ``#/$defs/X`` reference replaced by its definition."""
    if isinstance(schema, dict):
        defs = schema.get("$defs", {}) if defs is None else defs
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return inline_refs(defs[ref.split("/")[-1]], defs)
        return {k: inline_refs(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [inline_refs(v, defs) for v in schema]
    return schema


def documented(model: type[BaseModel], answer: str) -> dict[str, Any]:
    """Return a route's OpenAPI keywords: ``model`` as its required JSON body, its answer."""
    content = {"application/json": {"schema": inline_refs(model.model_json_schema())}}
    body = {"requestBody": {"required": True, "content": content}}
    return {"openapi_extra": body, "responses": {200: {"description": answer}}}
