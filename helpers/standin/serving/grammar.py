"""Answers for TGI's ``grammar`` parameter (``router/src/validation.rs`` @ ``db931fcf``).

TGI constrains each token to a JSON schema or a regex; the stand-in builds a matching value
directly: JSON as for structured output (``serving.structured``), or a string for a simple regex
(literals, classes, groups, alternation, repeats; one character drawn from ``ALPHABET`` where a
class matches), checked with ``re.fullmatch``.
"""

from __future__ import annotations

import re
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import numpy as np

from .structured import UnsupportedSchema, Words, dumps, generate_value

MAX_REPEAT = 4
"""Unbounded repeats (``*``, ``+``, ``{m,}``) stop after this many extra items."""
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,:;/@#"
"""The characters a character class, ``.`` or ``\\d``-like category is drawn from."""
GrammarUnsupported = UnsupportedSchema


def json_answer(schema: dict[str, Any], words: Words, seed: int, message: str | None = None) -> str:
    """Return JSON text valid for TGI's ``{"type": "json", "value": schema}`` grammar."""
    return dumps(generate_value(schema, seed, words, message))


def regex_answer(pattern: str, words: list[str], seed: int | None) -> str:
    """Return a string that fully matches ``pattern`` (TGI's regex grammar); ``words`` unused."""
    rng = np.random.default_rng(seed)
    try:
        parsed = sre_parse.parse(pattern)
        text = _emit(parsed, rng, parsed.state)
    except re.error as exc:
        raise UnsupportedSchema(f"the regex does not compile: {exc}") from None
    if re.fullmatch(pattern, text) is None:
        raise UnsupportedSchema(f"the stand-in cannot build a string for {pattern!r}")
    return text


def _emit(items: Any, rng: np.random.Generator, state: Any) -> str:
    out = []
    for op, arg in items:
        if op is sre_c.LITERAL:
            out.append(chr(arg))
        elif op in (sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN, sre_c.CATEGORY):  # one character
            matches = sre_compile.compile(sre_parse.SubPattern(state, [(op, arg)])).fullmatch
            chars = [c for c in ALPHABET if matches(c)]
            if not chars:
                raise UnsupportedSchema("the character class leaves no simple character")
            out.append(chars[int(rng.integers(len(chars)))])
        elif op is sre_c.SUBPATTERN:
            out.append(_emit(arg[-1], rng, state))
        elif op is sre_c.BRANCH:
            out.append(_emit(arg[1][int(rng.integers(len(arg[1])))], rng, state))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            low, high, body = arg
            top = low + MAX_REPEAT if high is sre_c.MAXREPEAT else high
            count = int(rng.integers(low, max(low, top) + 1))
            out += [_emit(body, rng, state) for _ in range(count)]
        elif op is not sre_c.AT:
            raise UnsupportedSchema(f"regex feature {op} is not supported by the stand-in")
    return "".join(out)
