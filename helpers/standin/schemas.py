"""TGI's request bodies and ``Info`` as strict pydantic models (``router/src/lib.rs`` @
``db931fcf``), validated in TGI's two stages: pydantic's first error in axum's plain-text 422
(``Failed to deserialize the JSON body into the target type: …``); then TGI's JSON 422 ``Input
validation error: …`` for the first ``contract.TGI_RULES`` broken or a value ``DEFAULT_ONLY``
does not emulate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import contract
from .errors import json_data_error, validation_error

U32 = Annotated[int, Field(ge=0, le=2**32 - 1)]
U64 = Annotated[int, Field(ge=0, le=2**64 - 1)]
I32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


class GenerateParameters(BaseModel):
    """TGI's text-generation parameters (unknown keys are ignored, as TGI does)."""

    model_config = ConfigDict(strict=True)
    best_of: U64 | None = None
    temperature: float | None = None
    repetition_penalty: float | None = None
    frequency_penalty: float | None = None
    top_k: I32 | None = None
    top_p: float | None = None
    typical_p: float | None = None
    do_sample: bool = False
    max_new_tokens: U32 | None = None
    return_full_text: bool | None = None
    stop: list[str] = []
    truncate: U64 | None = None
    watermark: bool = False
    details: bool = False
    decoder_input_details: bool = False
    seed: U64 | None = None
    top_n_tokens: U32 | None = None
    grammar: Any = Field(None, description="Not emulated (DEFAULT_ONLY): a 422.")
    adapter_id: str | None = Field(None, description="No adapter: the base model answers.")


class GenerateRequest(BaseModel):
    """``/generate`` and ``/generate_stream``: ``{"inputs", "parameters"}``."""

    model_config = ConfigDict(strict=True)
    inputs: str
    parameters: GenerateParameters = Field(default_factory=GenerateParameters)


class CompatGenerateRequest(GenerateRequest):
    """The classic contract (TGI's compat route ``POST /``): ``stream`` too."""

    stream: bool = False


class Info(BaseModel):
    """TGI's ``GET /info``, with the launcher's defaults for the emulated gpt2 endpoint."""

    model_id: str = contract.GPT2
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


NOT_EMULATED = "`{0}` is not emulated by the stand-in (the live service accepts it)"
DEFAULT_ONLY = {"best_of": 1, "watermark": False, "top_n_tokens": 0, "decoder_input_details": False}
DEFAULT_ONLY |= dict.fromkeys(("grammar", "typical_p", "truncate"))  # these: null only
"""The parameters the stand-in serves only at their default (or null): others get a 422."""


def first_error(exc: ValidationError) -> str:
    """Return pydantic's first error as ``path: what went wrong``."""
    error = exc.errors(include_url=False)[0]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
    return f"{path}: {error['msg']}" if path else error["msg"]


@dataclass
class GenerateCall:
    """A valid request; ``compat``: TGI's compat route."""

    inputs: str
    parameters: dict[str, Any]
    parameters_given: bool
    stream: bool
    compat: bool


def parse_task(model: type[BaseModel], body: Any, error: Callable = validation_error) -> Any:
    """Return ``body`` as ``model``, or raise ``error`` (another task's JSON 422) saying why."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise error(first_error(exc)) from None


def validate_generate(
    body: Any, count_tokens: Callable[[str], int], *, compat: bool = True, stream: bool = False
) -> GenerateCall:
    """Parse and validate a compat (``stream`` allowed) or ``/generate`` body, or raise TGI's
    answer; ``stream`` forces a stream (``/generate_stream``)."""
    model = CompatGenerateRequest if compat else GenerateRequest
    req = parse_task(model, body, json_data_error)
    params = req.parameters.model_dump(exclude_unset=True)
    stream = stream or getattr(req, "stream", False)
    length = max(1, count_tokens(req.inputs)) if req.inputs else 0
    problems = contract.tgi_violations({**params, "stream": stream}, input_tokens=length)
    problems += [
        NOT_EMULATED.format(n) for n, v in DEFAULT_ONLY.items() if params.get(n) not in (None, v)
    ]
    if problems:
        raise validation_error(problems[0])
    given = "parameters" in req.model_fields_set
    return GenerateCall(req.inputs, params, given, stream, compat)
