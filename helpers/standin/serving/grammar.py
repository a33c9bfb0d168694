"""Answers for TGI's ``grammar`` parameter (``router/src/validation.rs`` @ ``db931fcf``).

TGI constrains each token to a JSON schema or a regex; the stand-in builds a matching value
directly: JSON as for structured output (``serving.structured``), or a string for a simple regex
(literals, classes, groups, alternation, repeats), checked with ``re.fullmatch``.
"""

from __future__ import annotations

import re
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import numpy as np

from .structured import UnsupportedSchema, Words, dumps, generate_value

MAX_REPEAT = 4
"""Unbounded repeats (``*``, ``+``, ``{m,}``) stop after this many extra items."""
GrammarUnsupported = UnsupportedSchema


def json_answer(schema: dict[str, Any], words: Words, seed: int, message: str | None = None) -> str:
    """Return JSON text valid for TGI's ``{"type": "json", "value": schema}`` grammar."""
    return dumps(generate_value(schema, seed, words, message))


def regex_answer(pattern: str, words: list[str], seed: int | None) -> str:
    """Return a string that fully matches ``pattern`` (TGI's regex grammar)."""
    rng = np.random.default_rng(seed)
    vocabulary = [w for w in words if w.isalpha() and len(w) > 2] or ["value"]
    try:
        text = _emit(sre_parse.parse(pattern), rng, vocabulary)
    except re.error as exc:
        raise UnsupportedSchema(f"the regex does not compile: {exc}") from None
    if re.fullmatch(pattern, text) is None:
        raise UnsupportedSchema(f"the stand-in cannot build a string for {pattern!r}")
    return text


CATEGORIES = {
    sre_c.CATEGORY_SPACE: " ",
    sre_c.CATEGORY_NOT_DIGIT: "x",
    sre_c.CATEGORY_NOT_SPACE: "x",
    sre_c.CATEGORY_NOT_WORD: "-",
    sre_c.CATEGORY_WORD: "w",
}


def _emit(items: Any, rng: np.random.Generator, words: list[str]) -> str:
    out = []
    for op, arg in items:
        if op is sre_c.LITERAL:
            out.append(chr(arg))
        elif op is sre_c.NOT_LITERAL:
            out.append("b" if chr(arg) == "a" else "a")
        elif op is sre_c.ANY:
            out.append(words[int(rng.integers(len(words)))][0])
        elif op is sre_c.IN:
            out.append(_in_class(arg, rng))
        elif op is sre_c.SUBPATTERN:
            out.append(_emit(arg[-1], rng, words))
        elif op is sre_c.BRANCH:
            out.append(_emit(arg[1][int(rng.integers(len(arg[1])))], rng, words))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            low, high, body = arg
            top = low + MAX_REPEAT if high is sre_c.MAXREPEAT else high
            out += [
                _emit(body, rng, words) for _ in range(int(rng.integers(low, max(low, top) + 1)))
            ]
        elif op is sre_c.CATEGORY:
            out.append(_category(arg, rng))
        elif op is not sre_c.AT:
            raise UnsupportedSchema(f"regex feature {op} is not supported by the stand-in")
    return "".join(out)


def _category(category: Any, rng: np.random.Generator) -> str:
    if category is sre_c.CATEGORY_DIGIT:
        return str(int(rng.integers(10)))
    if category not in CATEGORIES:
        raise UnsupportedSchema(f"regex category {category} is not supported by the stand-in")
    return CATEGORIES[category]


def _in_class(items: list[Any], rng: np.random.Generator) -> str:
    negate = bool(items) and items[0][0] is sre_c.NEGATE
    chars: list[str] = []
    for op, arg in items[1:] if negate else items:
        if op is sre_c.LITERAL:
            chars.append(chr(arg))
        elif op is sre_c.RANGE:
            chars += [chr(i) for i in range(arg[0], min(arg[1], arg[0] + 200) + 1)]
        elif op is sre_c.CATEGORY:
            chars.append(_category(arg, rng))
        else:
            raise UnsupportedSchema(f"regex class item {op} is not supported")
    if negate:
        chars = [c for c in "abcdefghijklmnopqrstuvwxyz0123456789 " if c not in chars]
    if not chars:
        raise UnsupportedSchema("the character class leaves no simple character")
    return chars[int(rng.integers(len(chars)))]
