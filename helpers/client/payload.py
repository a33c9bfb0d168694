"""The text-generation payload and the server's own rules for it, checked before sending.

The rules are those of text-generation-inference (TGI), the server behind the classic
``{"inputs", "parameters"}`` contract: ``router/src/validation.rs`` at ``db931fcf``
(notebooks/REFERENCES.md, "TGI rules"). TGI is in maintenance mode since 2025-12-11; the
rules still describe what TGI endpoints answer. This is the client's own check, made before
sending; the stand-in validates with its own code, and both are tested against TGI's
literal messages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

from ..contract import (
    MAX_BEST_OF,
    MAX_INPUT_TOKENS,
    MAX_STOP_SEQUENCES,
    MAX_TOP_N_TOKENS,
    MAX_TOTAL_TOKENS,
)
from .errors import ParameterError

LEGACY_PARAMETERS = {
    "num_return_sequences": "pre-2024 pipeline parameter; today's servers ignore it (one text).",
    "max_time": "pre-2024 pipeline parameter; today's servers ignore it.",
    "stop_sequences": "old name of `stop`; servers ignore it (huggingface_hub renames it).",
    "use_cache": "belonged in `options`, later the x-use-cache header; both undocumented now.",
    "wait_for_model": "belonged in `options`, later x-wait-for-model; hf-inference is warm-only.",
    "use_gpu": "legacy option; ignored.",
}
"""Parameters old tutorials send that today's servers silently ignore (notebooks/REFERENCES.md,
"TGI rules")."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: which parameter, its value, the rule, and TGI's message."""

    parameter: str
    value: Any
    rule: str
    server_message: str

    def fix(self) -> str:
        """Return how to fix it, in one sentence."""
        if "calls it " in self.rule:
            return f"Use {self.rule.rsplit('calls it ', 1)[1]} instead of `{self.parameter}`."
        if "has no `" in self.rule:
            return f"Remove `{self.parameter}`; pass the options as keyword arguments."
        return f"Change `{self.parameter}` so that {self.rule}."

    def to_error(self) -> ParameterError:
        """Return the ParameterError that says what is wrong and how to fix it."""
        return ParameterError(
            f"`{self.parameter}` = {self.value!r} breaks the rule: {self.rule}.",
            parameter=self.parameter,
            value=self.value,
            rule=self.rule,
            hint=self.fix(),
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    # TGI deserialises integers with serde, which refuses 5.0 ("invalid type: floating point")
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES = {
    "temperature": ("number", _is_number),
    "top_p": ("number", _is_number),
    "typical_p": ("number", _is_number),
    "repetition_penalty": ("number", _is_number),
    "frequency_penalty": ("number", _is_number),
    "top_k": ("integer", _is_int),
    "max_new_tokens": ("integer", _is_int),
    "seed": ("integer", _is_int),
    "best_of": ("integer", _is_int),
    "top_n_tokens": ("integer", _is_int),
    "truncate": ("integer", _is_int),
    "do_sample": ("boolean", lambda v: isinstance(v, bool)),
    "details": ("boolean", lambda v: isinstance(v, bool)),
    "return_full_text": ("boolean", lambda v: isinstance(v, bool)),
    "decoder_input_details": ("boolean", lambda v: isinstance(v, bool)),
    "watermark": ("boolean", lambda v: isinstance(v, bool)),
    "stop": (
        "list of strings",
        lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
    ),
}


def _a(noun: str) -> str:
    """Return ``noun`` with its indefinite article: "an integer", "a number"."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def check_types(parameters: dict[str, Any]) -> list[Problem]:
    """Return a Problem for each known parameter whose value has the wrong JSON type."""
    problems = []
    for name, (kind, ok) in _TYPES.items():
        value = parameters.get(name)
        if value is not None and not ok(value):
            problems.append(
                Problem(
                    name,
                    value,
                    f"it is {_a(kind)}",
                    f"Failed to deserialize the JSON body into the target type: "
                    f"parameters.{name}: invalid type, expected {_a(kind)}",
                )
            )
    # unsigned in TGI's GenerateParameters (u64 seed, u32 max_new_tokens): serde refuses < 0
    for name, rust_type in (("seed", "u64"), ("max_new_tokens", "u32")):
        value = parameters.get(name)
        if value is not None and _is_int(value) and value < 0:
            problems.append(
                Problem(
                    name,
                    value,
                    "it is a whole number ≥ 0",
                    "Failed to deserialize the JSON body into the target type: "
                    f"parameters.{name}: invalid value: integer `{value}`, expected {rust_type}",
                )
            )
    return problems


def check_rules(
    inputs: Any,
    parameters: dict[str, Any],
    *,
    input_tokens: int | None = None,
    stream: bool = False,
) -> list[Problem]:
    """Return every rule the request breaks (types first), in TGI's order; [] when valid.

    ``input_tokens`` is the prompt's length in tokens, when the caller can count them.
    """
    problems: list[Problem] = []
    if not isinstance(inputs, str):
        return [
            Problem(
                "inputs",
                inputs,
                "it is a string",
                "Failed to deserialize the JSON body into the target type: "
                "inputs: invalid type, expected a string",
            )
        ]
    problems.extend(check_types(parameters))
    if problems:
        return problems
    p = parameters

    def add(name: str, rule: str, message: str) -> None:
        problems.append(
            Problem(name, p.get(name, inputs if name == "inputs" else None), rule, message)
        )

    best_of = p.get("best_of")
    if best_of is not None:
        if best_of <= 0 or best_of > MAX_BEST_OF:
            add(
                "best_of",
                f"0 < best_of ≤ {MAX_BEST_OF}",
                f"`best_of` must be > 0 and <= {MAX_BEST_OF}. Given: {best_of}",
            )
        elif best_of > 1:
            if stream:
                add(
                    "best_of",
                    "best_of is 1 when streaming",
                    "`best_of` != 1 is not allowed for this endpoint",
                )
            sampling = p.get("do_sample") or any(
                p.get(k) is not None for k in ("temperature", "top_k", "top_p", "typical_p")
            )
            if not sampling:
                add(
                    "best_of",
                    "best_of > 1 needs sampling",
                    "you must use sampling when `best_of` is > 1",
                )
            if p.get("seed") is not None:
                add(
                    "best_of",
                    "no seed with best_of > 1",
                    "`seed` must not be set when `best_of` > 1",
                )
    if p.get("temperature") is not None and p["temperature"] <= 0:
        add("temperature", "temperature > 0", "`temperature` must be strictly positive")
    if p.get("repetition_penalty") is not None and p["repetition_penalty"] <= 0:
        add(
            "repetition_penalty",
            "repetition_penalty > 0",
            "`repetition_penalty` must be strictly positive",
        )
    if p.get("frequency_penalty") is not None and not -2.0 <= p["frequency_penalty"] <= 2.0:
        add(
            "frequency_penalty",
            "-2 ≤ frequency_penalty ≤ 2",
            "`frequency_penalty` must be >= -2.0 and <= 2.0",
        )
    if p.get("top_p") is not None and not 0.0 < p["top_p"] < 1.0:
        add("top_p", "0 < top_p < 1 (both ends excluded)", "`top_p` must be > 0.0 and < 1.0")
    if p.get("typical_p") is not None and not 0.0 < p["typical_p"] < 1.0:
        add("typical_p", "0 < typical_p < 1", "`typical_p` must be > 0.0 and < 1.0")
    if p.get("top_k") is not None and p["top_k"] <= 0:
        add("top_k", "top_k > 0", "`top_k` must be strictly positive")
    if p.get("max_new_tokens") is not None and p["max_new_tokens"] <= 0:
        add("max_new_tokens", "max_new_tokens > 0", "`max_new_tokens` must be strictly positive")
    if p.get("top_n_tokens") is not None and not 0 <= p["top_n_tokens"] <= MAX_TOP_N_TOKENS:
        add(
            "top_n_tokens",
            f"0 ≤ top_n_tokens ≤ {MAX_TOP_N_TOKENS}",
            f"`top_n_tokens` must be >= 0 and <= {MAX_TOP_N_TOKENS}. Given: {p['top_n_tokens']}",
        )
    if p.get("truncate") is not None and not 0 < p["truncate"] <= MAX_INPUT_TOKENS:
        add(
            "truncate",
            f"0 < truncate ≤ {MAX_INPUT_TOKENS}",
            f"`truncate` must be strictly positive and less than {MAX_INPUT_TOKENS}. "
            f"Given: {p['truncate']}",
        )
    stop = p.get("stop") or []
    if len(stop) > MAX_STOP_SEQUENCES:
        add(
            "stop",
            f"at most {MAX_STOP_SEQUENCES} stop sequences",
            f"`stop` supports up to {MAX_STOP_SEQUENCES} stop sequences. Given: {len(stop)}",
        )
    if p.get("decoder_input_details") and stream:
        add(
            "decoder_input_details",
            "decoder_input_details is false when streaming",
            "`decoder_input_details` == true is not supported when streaming tokens",
        )
    if inputs == "":  # TGI: inputs.is_empty(); a prompt of spaces is accepted
        add("inputs", "inputs is not empty", "`inputs` cannot be empty")
    elif input_tokens is not None:
        # TGI's order (validation.rs, validate_input): the total first, with max_new_tokens
        # defaulting to what is left of the context, then the prompt's own length.
        new = p.get("max_new_tokens")
        if new is None:
            new = max(MAX_TOTAL_TOKENS - input_tokens, 0)
        if new > 0 and input_tokens + new > MAX_TOTAL_TOKENS or input_tokens > MAX_TOTAL_TOKENS:
            add(
                "max_new_tokens",
                f"prompt tokens + max_new_tokens ≤ {MAX_TOTAL_TOKENS}",
                f"`inputs` tokens + `max_new_tokens` must be <= {MAX_TOTAL_TOKENS}. "
                f"Given: {input_tokens} `inputs` tokens and {new} `max_new_tokens`",
            )
        elif input_tokens > MAX_INPUT_TOKENS:
            add(
                "inputs",
                f"the prompt has at most {MAX_INPUT_TOKENS} tokens",
                f"`inputs` must have less than {MAX_INPUT_TOKENS + 1} tokens. Given: {input_tokens}",
            )
    return problems


OPENAI_NAMES = {
    "max_tokens": "max_new_tokens",
    "echo": "return_full_text",
    "prompt": "inputs",
}
"""OpenAI completions names → the classic shape's name for the same thing. TGI's
``GenerateParameters`` (``router/src/lib.rs``) has no ``max_tokens``: the classic route would
ignore it and generate the default length, so the client refuses it before sending."""
CLASSIC_NAMES = {
    "max_new_tokens": "max_tokens",
    "return_full_text": "echo",
    "inputs": "prompt",
    "parameters": None,
}
"""Classic names → the OpenAI completions name (None: the shape has no such field; the
options go at the top level of the body). OpenAI's ``CompletionCreateParams``
(openai-python ``src/openai/types/completion_create_params.py``) has none of these; vLLM and
the stand-in ignore an unknown field, so ``max_new_tokens`` would give 16 tokens."""


def _wrong_shape(name: str, value: Any, right: str | None, shape: str, other: str) -> Problem:
    if right is None:
        rule = f"the {shape} shape has no `{name}`: its options go at the top level of the body"
    else:
        rule = f"`{name}` belongs to the {other} shape; the {shape} shape calls it {right}"
    return Problem(name, value, rule, f"`{name}` would be ignored by the {shape} route")


def check_classic_names(parameters: dict[str, Any]) -> list[Problem]:
    """Return a Problem for each OpenAI completions name given to the classic shape."""
    return [
        _wrong_shape(name, parameters[name], right, "classic", "OpenAI completions")
        for name, right in OPENAI_NAMES.items()
        if name in parameters
    ]


def check_completion_options(options: dict[str, Any]) -> None:
    """Raise ParameterError when an OpenAI completions call is given a classic name.

    ``max_new_tokens`` on ``/v1/completions`` is ignored (the default, 16 tokens, comes back):
    the mistake the first lessons teach, refused here with the right name.
    """
    for name, right in CLASSIC_NAMES.items():
        if name in options:
            problem = _wrong_shape(name, options[name], right, "OpenAI completions", "classic")
            raise problem.to_error()


def legacy_parameters(payload: dict[str, Any]) -> dict[str, str]:
    """Return {name: what happens to it today} for legacy keys found in ``payload``."""
    found = {}
    params = payload.get("parameters") or {}
    options = payload.get("options") or {}
    for name in list(params) + list(options):
        if name in LEGACY_PARAMETERS:
            found[name] = LEGACY_PARAMETERS[name]
    if "options" in payload:
        found.setdefault("options", "the whole `options` object is legacy; servers ignore it.")
    return found


def build_payload(inputs: str, *, stream: bool = False, **parameters: Any) -> dict[str, Any]:
    """Return a checked ``{"inputs", "parameters"}`` payload; raise ParameterError if invalid.

    >>> build_payload("Hello", max_new_tokens=5)
    {'inputs': 'Hello', 'parameters': {'max_new_tokens': 5}}
    """
    parameters = {k: v for k, v in parameters.items() if v is not None}
    problems = check_classic_names(parameters) or check_rules(inputs, parameters, stream=stream)
    if problems:
        raise problems[0].to_error()
    payload: dict[str, Any] = {"inputs": inputs, "parameters": parameters}
    if stream:
        payload["stream"] = True
    return payload
