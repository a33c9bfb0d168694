"""Small text measures for the parameter experiments: how varied, how repetitive."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORDS = re.compile(r"[A-Za-z0-9']+")


def words(text: str) -> list[str]:
    """Return the lower-cased words of ``text`` (punctuation dropped)."""
    return [w.lower() for w in _WORDS.findall(text)]


def distinct_n(texts: Iterable[str], n: int = 2) -> float:
    """Return distinct-n: unique n-grams / all n-grams over ``texts`` (0.0 when there are none).

    1.0 means no n-gram repeats anywhere; lower means the texts repeat themselves or each other.

    >>> distinct_n(["a b a b"], n=2)
    0.6666666666666666
    """
    if n < 1:
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    grams = []
    for text in texts:
        w = words(text)
        grams += [tuple(w[i : i + n]) for i in range(len(w) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def repeated_word_rate(text: str) -> float:
    """Return the share of words in ``text`` that already appeared earlier in it (0.0–1.0).

    >>> repeated_word_rate("the cat and the dog")
    0.2
    """
    seen: set[str] = set()
    repeats = 0
    w = words(text)
    for word in w:
        repeats += word in seen
        seen.add(word)
    return repeats / len(w) if w else 0.0
