"""Request validation for the stand-in's TGI routes, in TGI's two stages.

1. **Deserialisation** (axum's ``Json`` extractor, serde; types of ``GenerateParameters`` in
   text-generation-inference ``router/src/lib.rs`` @ ``db931fcf``): a wrong JSON type is a
   *plain-text* 422 ``Failed to deserialize the JSON body into the target type:
   parameters.top_k: invalid type: string "5", expected i32`` (without serde's `` at line L
   column C``: the stand-in reads the decoded body).
2. **Validation**: 422 ``{"error": "Input validation error: <message>", "error_type":
   "validation"}`` for the first of ``helpers.contract.TGI_RULES`` broken (validation.rs and
   server.rs's stream-only checks), then the grammar.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..contract import tgi_violations
from .errors import StandInError, body_error, validation_error

INVALID_GRAMMAR = "grammar is not valid: {0}"
GRAMMAR = "grammar is not supported"

SYNTAX_PREFIX = "Failed to parse the request body as JSON: "
"""axum's ``JsonSyntaxError`` text (400)."""
DESERIALIZE_PREFIX = "Failed to deserialize the JSON body into the target type: "
"""axum's ``JsonDataError`` text (axum-core ``rejection.rs``), before serde's message."""

# TGI's GenerateParameters (lib.rs @ db931fcf): field -> (Rust type, Option<…>?)
PARAMETER_TYPES: dict[str, tuple[str, bool]] = {
    "best_of": ("usize", True),
    "temperature": ("f32", True),
    "repetition_penalty": ("f32", True),
    "frequency_penalty": ("f32", True),
    "top_k": ("i32", True),
    "top_p": ("f32", True),
    "typical_p": ("f32", True),
    "do_sample": ("bool", False),
    "max_new_tokens": ("u32", True),
    "return_full_text": ("bool", True),
    "stop": ("Vec<String>", False),
    "truncate": ("usize", True),
    "watermark": ("bool", False),
    "details": ("bool", False),
    "decoder_input_details": ("bool", False),
    "seed": ("u64", True),
    "top_n_tokens": ("u32", True),
    "grammar": ("GrammarType", True),
    "adapter_id": ("String", True),
}
"""Every documented parameter of TGI's ``GenerateParameters``; unknown keys are ignored."""

_INT_RANGES = {
    "i32": (-(2**31), 2**31 - 1),
    "u32": (0, 2**32 - 1),
    "u64": (0, 2**64 - 1),
    "usize": (0, 2**64 - 1),
}
_EXPECTED = {"bool": "a boolean", "String": "a string", "Vec<String>": "a sequence"}


def _unexpected(value: Any) -> str:
    """Return serde's ``Unexpected`` wording for a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value!r}`"
    if isinstance(value, str):
        return f"string {json.dumps(value)}"
    if isinstance(value, list):
        return "sequence"
    return "map"


def deserialize_error(path: str, message: str) -> StandInError:
    """Return axum's 422 for a body serde cannot read: plain text, not JSON."""
    where = f"{path}: " if path else ""
    return body_error(422, DESERIALIZE_PREFIX + where + message)


def _type_error(path: str, value: Any, expected: str) -> StandInError:
    return deserialize_error(path, f"invalid type: {_unexpected(value)}, expected {expected}")


def _check_type(name: str, value: Any) -> None:
    kind, optional = PARAMETER_TYPES[name]
    path = f"parameters.{name}"
    if value is None:
        if optional:
            return
        raise _type_error(path, value, _EXPECTED[kind])
    if kind == "f32":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(path, value, "f32")
        if not math.isfinite(value):
            # Python's json reads NaN/Infinity; serde_json does not: a syntax error, 400.
            raise body_error(400, f"{SYNTAX_PREFIX}{value} is not a JSON number ({path})")
    elif kind in _INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(path, value, kind)
        low, high = _INT_RANGES[kind]
        if not low <= value <= high:
            raise deserialize_error(path, f"invalid value: integer `{value}`, expected {kind}")
    elif kind == "bool":
        if not isinstance(value, bool):
            raise _type_error(path, value, "a boolean")
    elif kind == "String":
        if not isinstance(value, str):
            raise _type_error(path, value, "a string")
    elif kind == "Vec<String>":
        if not isinstance(value, list):
            raise _type_error(path, value, "a sequence")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise _type_error(f"{path}[{index}]", item, "a string")
    elif kind == "GrammarType":
        _check_grammar_type(value)


GRAMMAR_TYPES = ("json", "json_object", "regex", "json_schema")
"""``GrammarType``'s tags (``json_object`` is an alias of ``json``), lib.rs @ db931fcf."""


def _check_grammar_type(value: Any) -> None:
    path = "parameters.grammar"
    if not isinstance(value, dict):
        raise _type_error(path, value, "adjacently tagged enum GrammarType")
    if "type" not in value:
        raise deserialize_error(path, "missing field `type`")
    kind = value["type"]
    if kind not in GRAMMAR_TYPES:
        listed = ", ".join(f"`{t}`" for t in ("json", "regex", "json_schema"))
        raise deserialize_error(path, f"unknown variant `{kind}`, expected one of {listed}")
    if "value" not in value:
        raise deserialize_error(path, "missing field `value`")
    inner = value["value"]
    if kind == "regex" and not isinstance(inner, str):
        raise _type_error(path, inner, "a string")
    if kind == "json_schema":
        if not isinstance(inner, dict):
            raise _type_error(path, inner, "struct JsonSchemaConfig")
        if "schema" not in inner:
            raise deserialize_error(path, "missing field `schema`")


@dataclass
class GenerateCall:
    """A request that passed validation: what to generate and how."""

    inputs: str
    parameters: dict[str, Any]
    parameters_given: bool
    stream: bool
    input_length: int
    """Prompt tokens after ``truncate`` (what TGI reports as ``input_length``)."""
    max_new_tokens: int | None
    """``max_new_tokens`` as sent (None: the generator's default)."""
    grammar: dict[str, Any] | None = None
    """``{"kind": "json", "schema": {...}}`` or ``{"kind": "regex", "pattern": "..."}``."""


def parse_body(body: Any, *, struct: str = "CompatGenerateRequest", stream_field: bool = True):
    """Return ``(inputs, parameters, parameters_given, stream)`` or raise serde's plain 422.

    ``struct`` is the Rust type TGI deserialises into (``CompatGenerateRequest`` on ``POST /``,
    ``GenerateRequest`` on ``/generate`` and ``/generate_stream``, which have no ``stream``).
    """
    if not isinstance(body, dict):
        raise _type_error("", body, f"struct {struct}")
    if "inputs" not in body:
        raise deserialize_error("", "missing field `inputs`")
    inputs = body["inputs"]
    if not isinstance(inputs, str):
        raise _type_error("inputs", inputs, "a string")
    raw = body.get("parameters", {})
    given = "parameters" in body
    if not isinstance(raw, dict):
        raise _type_error("parameters", raw, "struct GenerateParameters")
    for name, value in raw.items():
        if name in PARAMETER_TYPES:
            _check_type(name, value)
    stream = False
    if stream_field and "stream" in body:
        stream = body["stream"]
        if not isinstance(stream, bool):
            raise _type_error("stream", stream, "a boolean")
    return inputs, dict(raw), given, stream


def check_parameters(
    inputs: str, parameters: dict[str, Any], count_tokens: Callable[[str], int], *, stream=False
) -> int:
    """Raise TGI's first validation error (``contract.TGI_RULES``); return the input length.

    ``count_tokens`` counts the prompt as the served model's tokenizer would.
    """
    length = max(1, count_tokens(inputs)) if inputs else 0
    problems = tgi_violations({**parameters, "stream": stream}, input_tokens=length)
    if problems:
        raise validation_error(problems[0])
    truncate = parameters.get("truncate")
    return min(length, truncate) if truncate is not None else length


def check_grammar(grammar: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return ``{"kind": "json", "schema": …}`` / ``{"kind": "regex", "pattern": …}``, or raise.

    TGI (validation.rs @ db931fcf) parses a string ``json`` value as JSON, checks the schema
    against the 2020-12 meta-schema and requires a ``properties`` field; a regex is passed on.
    """
    if grammar is None:
        return None
    kind, value = grammar["type"], grammar["value"]
    if kind == "regex":
        return {"kind": "regex", "pattern": value}
    if kind == "json_schema":
        schema = value["schema"]
    else:
        schema = value
        if isinstance(schema, str):
            try:
                schema = json.loads(schema)
            except ValueError as exc:
                raise validation_error(INVALID_GRAMMAR.format(exc)) from None
        elif not isinstance(schema, dict):
            raise validation_error(GRAMMAR)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise validation_error(INVALID_GRAMMAR.format(exc.message)) from None
    if not isinstance(schema, dict) or "properties" not in schema:
        raise validation_error(INVALID_GRAMMAR.format("Grammar must have a 'properties' field"))
    return {"kind": "json", "schema": schema}


def validate_generate(
    body: Any,
    count_tokens: Callable[[str], int],
    *,
    struct: str = "CompatGenerateRequest",
    stream_field: bool = True,
    force_stream: bool = False,
) -> GenerateCall:
    """Parse and validate a classic / ``/generate`` body; raise the answer TGI would give."""
    inputs, params, given, stream = parse_body(body, struct=struct, stream_field=stream_field)
    stream = stream or force_stream
    input_length = check_parameters(inputs, params, count_tokens, stream=stream)
    grammar = check_grammar(params.get("grammar"))
    return GenerateCall(
        inputs=inputs,
        parameters=params,
        parameters_given=given,
        stream=stream,
        input_length=input_length,
        max_new_tokens=params.get("max_new_tokens"),
        grammar=grammar,
    )
