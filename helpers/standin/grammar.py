"""Constrained answers for TGI's ``grammar`` parameter.

TGI compiles a JSON schema or a regex into a token automaton and only lets the model pick
tokens that keep the output inside it (outlines; ``router/src/validation.rs`` and
``server/text_generation_server/utils/logits_process.py`` @ ``db931fcf``). The stand-in cannot
constrain its n-gram model token by token, so it builds a value that matches directly:

- JSON schema: ``structured.generate_value`` (shared with the OpenAI routes' structured
  output), checked with ``jsonschema`` before it is returned;
- regex: a string that fully matches a *simple* pattern (literals, classes, ``.``, groups,
  alternation, ``? * + {m,n}``, anchors), checked with ``re.fullmatch``.

Anything it cannot honour raises ``GrammarUnsupported``, which the routes answer with a clear
422 instead of a text that ignores the grammar.
"""

from __future__ import annotations

import re
import string
from typing import Any

import numpy as np

from .structured import UnsupportedSchema, Words, dumps, generate_value

try:  # Python ≥ 3.11
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MAX_REPEAT = 4
"""Unbounded repeats (``*``, ``+``, ``{m,}``) stop after this many extra items."""


class GrammarUnsupported(ValueError):
    """The stand-in cannot produce an answer that matches this grammar."""


class RegexBuilder:
    """Builds strings that match a regex, from a seeded random source and a word list."""

    def __init__(self, words: list[str], seed: int | None = None):
        self.words = [w for w in words if w.isalpha() and len(w) > 2] or ["value"]
        self.rng = np.random.default_rng(seed)

    def word(self) -> str:
        """Return one word of the corpus."""
        return self.words[int(self.rng.integers(len(self.words)))]

    def sentence(self, count: int) -> str:
        """Return ``count`` words of the corpus, joined by spaces."""
        return " ".join(self.word() for _ in range(max(count, 1)))

    # --- regex ---------------------------------------------------------------------------
    def matching(self, pattern: str, search: bool = False) -> str:
        """Return a string that fully matches ``pattern`` (or contains a match, ``search``)."""
        try:
            tree = sre_parse.parse(pattern)
        except re.error as exc:
            raise GrammarUnsupported(f"the regex does not compile: {exc}") from None
        text = self._emit(tree)
        check = re.search if search else re.fullmatch
        if check(pattern, text) is None:
            raise GrammarUnsupported(f"the stand-in cannot build a string for {pattern!r}")
        return text

    def _emit(self, items: Any) -> str:
        out = []
        for op, arg in items:
            out.append(self._emit_one(op, arg))
        return "".join(out)

    def _emit_one(self, op: Any, arg: Any) -> str:
        c = sre_constants
        if op is c.LITERAL:
            return chr(arg)
        if op is c.NOT_LITERAL:
            return "a" if chr(arg) != "a" else "b"
        if op is c.ANY:
            return self.word()[0]
        if op is c.AT:
            return ""
        if op is c.IN:
            return self._class(arg)
        if op is c.SUBPATTERN:
            return self._emit(arg[-1])
        if op is c.BRANCH:
            options = arg[1]
            return self._emit(options[int(self.rng.integers(len(options)))])
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, body = arg
            top = low + MAX_REPEAT if high is c.MAXREPEAT else high
            count = int(self.rng.integers(low, max(low, top) + 1))
            return "".join(self._emit(body) for _ in range(count))
        if op is c.CATEGORY:
            return self._category(arg)
        raise GrammarUnsupported(f"regex feature {op} is not supported by the stand-in")

    def _category(self, cat: Any) -> str:
        c = sre_constants
        if cat is c.CATEGORY_DIGIT:
            return str(int(self.rng.integers(10)))
        if cat is c.CATEGORY_WORD:
            return self.word()[0]
        if cat is c.CATEGORY_SPACE:
            return " "
        if cat is c.CATEGORY_NOT_DIGIT:
            return "x"
        if cat is c.CATEGORY_NOT_SPACE:
            return "x"
        if cat is c.CATEGORY_NOT_WORD:
            return "-"
        raise GrammarUnsupported(f"regex category {cat} is not supported by the stand-in")

    def _class(self, items: list[Any]) -> str:
        c = sre_constants
        if items and items[0][0] is c.NEGATE:
            excluded = "".join(self._class_chars(items[1:]))
            for ch in string.ascii_lowercase + string.digits + " ":
                if ch not in excluded:
                    return ch
            raise GrammarUnsupported("the negated class excludes every simple character")
        chars = self._class_chars(items)
        if not chars:
            raise GrammarUnsupported("an empty character class")
        return chars[int(self.rng.integers(len(chars)))]

    def _class_chars(self, items: list[Any]) -> list[str]:
        c = sre_constants
        chars: list[str] = []
        for op, arg in items:
            if op is c.LITERAL:
                chars.append(chr(arg))
            elif op is c.RANGE:
                low, high = arg
                chars.extend(chr(i) for i in range(low, min(high, low + 200) + 1))
            elif op is c.CATEGORY:
                chars.append(self._category(arg))
            else:
                raise GrammarUnsupported(f"regex class item {op} is not supported")
        return chars


def json_answer(schema: dict[str, Any], words: Words, seed: int, message: str | None = None) -> str:
    """Return compact JSON text valid for ``schema`` (checked with jsonschema), its values
    taken from ``message`` (the prompt) where a property fits."""
    try:
        return dumps(generate_value(schema, seed, words, message))
    except UnsupportedSchema as exc:
        raise GrammarUnsupported(str(exc)) from None


def regex_answer(pattern: str, words: list[str], seed: int | None) -> str:
    """Return a string that fully matches ``pattern``."""
    return RegexBuilder(words, seed).matching(pattern)
