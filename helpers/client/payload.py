"""The text-generation payload, checked before sending with the server's own rules.

The classic ``{"inputs", "parameters"}`` body is TGI's (text-generation-inference, the server
behind dedicated Endpoints and the stand-in's classic routes). Its rules and their literal
messages are data in ``helpers.contract`` (``tgi_violations``), read here and by the stand-in;
this module adds only OpenAI's names for the same options, which the classic route would
silently ignore (notebooks/REFERENCES.md, "TGI rules").
"""

from __future__ import annotations

import re
from typing import Any

from .. import contract
from .errors import ConfigurationError

OPENAI_NAMES = {"max_tokens": "max_new_tokens", "echo": "return_full_text", "prompt": "inputs"}
"""OpenAI completions names → the classic name. TGI's ``GenerateParameters`` has no
``max_tokens``: the classic route would ignore it and generate the default length."""


def check_parameters(parameters: dict[str, Any], *, input_tokens: int | None = None) -> None:
    """Raise ConfigurationError for the first rule ``parameters`` break (TGI's own message)."""
    for name, right in OPENAI_NAMES.items():
        if name in parameters:
            raise ConfigurationError(
                f"`{name}` belongs to OpenAI's completions shape; the classic shape calls it "
                f"`{right}` (the server would ignore `{name}`).",
                hint=f"Use `{right}` instead.",
                parameter=name,
            )
    problems = contract.tgi_violations(parameters, input_tokens=input_tokens)
    if problems:
        named = re.search(r"`(\w+)`", problems[0])
        parameter = named.group(1) if named else None
        raise ConfigurationError(
            f"The server would refuse this payload: {problems[0]}",
            hint=f"Change `{parameter}` so that it follows the rule." if parameter else None,
            parameter=parameter,
        )


def build_payload(inputs: str, *, stream: bool = False, **parameters: Any) -> dict[str, Any]:
    """Return a checked ``{"inputs", "parameters"}`` payload (None values dropped).

    >>> build_payload("Hello", max_new_tokens=5)
    {'inputs': 'Hello', 'parameters': {'max_new_tokens': 5}}
    """
    parameters = {k: v for k, v in parameters.items() if v is not None}
    check_parameters({**parameters, "stream": True} if stream else parameters)
    payload: dict[str, Any] = {"inputs": inputs, "parameters": parameters}
    if stream:
        payload["stream"] = True
    return payload
