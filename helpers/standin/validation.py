"""Request validation for the TGI routes, in TGI's two stages: the body is parsed into
``schemas``' models, pydantic's first error worded as serde's (axum's plain-text 422 ``Failed to
deserialize the JSON body into the target type: parameters.top_k: invalid type: string "5",
expected i32``); then TGI's JSON 422 ``Input validation error: …`` for the first of
``contract.TGI_RULES`` broken. A parameter in ``DEFAULT_ONLY`` with another than its default
value (``grammar``, ``best_of`` > 1, ``watermark``, ``top_n_tokens`` > 0, ``truncate``) gets a 422.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..contract import tgi_violations
from .errors import json_data_error, validation_error
from .schemas import CompatGenerateRequest, GenerateRequest

NOT_EMULATED = "`{0}` is not emulated by the stand-in (the live service accepts it)"
DEFAULT_ONLY = dict(grammar=None, best_of=1, watermark=False, top_n_tokens=0, truncate=None)
"""The parameters the stand-in serves only at their default (or null): others get a 422."""


def _unexpected(value: Any) -> str:
    """Return serde's ``Unexpected`` wording for a JSON value."""
    kind = {bool: "boolean", int: "integer", float: "floating point"}.get(type(value))
    if isinstance(value, str):
        return f"string {json.dumps(value)}"
    if kind is None:
        return "null" if value is None else "sequence" if isinstance(value, list) else "map"
    return f"{kind} `{json.dumps(value)}`"


def _expected(model: Any, loc: tuple) -> str | None:
    """Return the serde type name of the field at ``loc`` (``x-rust-type`` in ``schemas``)."""
    field = None
    for name in loc:
        if isinstance(name, int):
            return "a string"  # an item of `stop`, TGI's only list
        field = getattr(model, "model_fields", {}).get(name)
        model = field.annotation if field else None
    return ((field and field.json_schema_extra) or {}).get("x-rust-type")


def serde_message(model: type[BaseModel], exc: ValidationError) -> str:
    """Return serde's text for pydantic's first error: ``path: what went wrong``."""
    error = exc.errors(include_url=False)[0]
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    got = _unexpected(value)
    if kind == "missing":
        loc, what = loc[:-1], f"missing field `{loc[-1]}`"
    elif kind == "model_type":
        what = f"invalid type: {got}, expected struct {error['ctx']['class_name']}"
    elif (expected := _expected(model, loc)) is None:
        what = error["msg"]  # a body that is not TGI's: pydantic's own words
    else:
        wrong = "value" if kind.startswith(("greater_than", "less_than")) else "type"
        what = f"invalid {wrong}: {got}, expected {expected}"
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return f"{path}: {what}" if path else what


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
        raise error(serde_message(model, exc)) from None


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
