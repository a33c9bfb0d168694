"""Request validation for the TGI routes, in TGI's two stages: the body is parsed into
``schemas``' models (pydantic's first error in axum's plain-text 422 ``Failed to deserialize the
JSON body into the target type: parameters.top_k: …``); then TGI's JSON 422 ``Input validation
error: …`` for the first of ``contract.TGI_RULES`` broken, or for a value ``DEFAULT_ONLY`` says
the stand-in does not emulate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..contract import tgi_violations
from .errors import json_data_error, validation_error
from .schemas import CompatGenerateRequest, GenerateRequest

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
    problems = tgi_violations({**params, "stream": stream}, input_tokens=length)
    problems += [
        NOT_EMULATED.format(n) for n, v in DEFAULT_ONLY.items() if params.get(n) not in (None, v)
    ]
    if problems:
        raise validation_error(problems[0])
    given = "parameters" in req.model_fields_set
    return GenerateCall(req.inputs, params, given, stream, compat)
