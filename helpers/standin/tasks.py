"""The hf-inference tasks the course calls (summarization, translation, sentiment, zero-shot,
embeddings): small deterministic rules, not models, in the shapes InferenceClient reads."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from typing import Any

from .catalog import DEFAULT_EMBEDDING_DIM, EMBEDDING_TAGS, ModelInfo
from .errors import validation_error
from .textgen import WORDS  # sentiment lexicons, an English -> French glossary, zero-shot hints

WORD = re.compile(r"[A-Za-z']+")
POSITIVE, NEGATIVE = frozenset(WORDS["positive"]), frozenset(WORDS["negative"])


def _text(inputs: Any) -> str:
    if not isinstance(inputs, str) or not inputs.strip():
        raise validation_error("`inputs` must be a non-empty string")
    return inputs


def _texts(value: Any, message: str) -> list[str]:
    """Return ``value`` if it is a non-empty list of non-blank strings, else refuse it."""
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return value
    raise validation_error(message)


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def _ranked(labels: list[str], scores: list[float]) -> list[dict[str, Any]]:
    pairs = sorted(zip(labels, scores, strict=True), key=lambda p: -p[1])
    return [{"label": label, "score": round(score, 4)} for label, score in pairs]


def summarize(inputs: Any, params: dict[str, Any]) -> list[dict[str, str]]:
    """Return ``[{"summary_text"}]``: the first two sentences, cut to ``max_length`` words."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(_text(inputs).split()))
    limit = params.get("max_length", 60)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        raise validation_error("`max_length` must be a positive integer")
    return [{"summary_text": " ".join(" ".join(sentences[:2]).split()[:limit])}]


def translate(inputs: Any, params: dict[str, Any]) -> list[dict[str, str]]:
    """Return ``[{"translation_text"}]``: English to French, word by word, from a tiny glossary."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        french = WORDS["english_to_french"].get(word.lower(), word)
        return french.capitalize() if word[0].isupper() else french

    return [{"translation_text": WORD.sub(swap, _text(inputs))}]


def classify_sentiment(inputs: Any, params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Return ``[[{"label", "score"}, …]]``: POSITIVE/NEGATIVE from counting lexicon words."""
    words = _words(_text(inputs))
    balance = sum(w in POSITIVE for w in words) - sum(w in NEGATIVE for w in words)
    positive = 1 / (1 + math.exp(-2.0 * max(-20, min(balance, 20))))
    return [_ranked(["POSITIVE", "NEGATIVE"], [positive, 1 - positive])]


def zero_shot(inputs: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Return ``[{"label", "score"}, …]``: labels scored by the words they (or their related
    words) share with the text, 4-letter prefixes counting half."""
    text_words = set(_words(_text(inputs)))
    message = "`candidate_labels` must be a non-empty list of strings"
    labels = _texts(params.get("candidate_labels"), message)
    raw = []
    for label in labels:
        words = {*_words(label), *WORDS["zero_shot_related_words"].get(label.lower().strip(), [])}
        prefixes = sum(any(t.startswith(w[:4]) for t in text_words) for w in words if len(w) >= 4)
        raw.append(len(words & text_words) + 0.5 * prefixes)
    if params.get("multi_label"):
        return _ranked(labels, [1 / (1 + math.exp(1 - 2 * r)) for r in raw])
    exp = [math.exp(2 * (r - max(raw))) for r in raw]
    return _ranked(labels, [e / sum(exp) for e in exp])


def embed_text(text: str, dimension: int = DEFAULT_EMBEDDING_DIM, normalize: bool = True):
    """Return a hashed bag-of-words vector of ``text`` (its words and their 4-letter stems):
    texts that share words are close. The right shape and a sensible geometry, not a model."""
    vector = [0.0] * dimension
    for word in _words(text):
        for feature, weight in ((word, 1.0), ("stem:" + word[:4], 0.5)):
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            value = int.from_bytes(digest, "big")
            vector[value % dimension] += weight if value >> 63 else -weight
    norm = math.sqrt(sum(x * x for x in vector)) if normalize else 0.0
    return [round(x / norm if norm else x, 6) for x in vector]


def feature_extraction(inputs: Any, params: dict[str, Any], dimension: int) -> list[list[float]]:
    """Return one vector per text, of length 1 unless ``normalize`` is false (others: no effect)."""
    message = "`inputs` must be a non-empty string or a non-empty list of strings"
    texts = _texts([inputs] if isinstance(inputs, str) else inputs, message)
    normalize = params.get("normalize", True)
    if not isinstance(normalize, bool):
        raise validation_error("`normalize` must be a boolean")
    return [embed_text(text, dimension, normalize) for text in texts]


def sentence_similarity(inputs: Any, params: dict[str, Any], dimension: int) -> list[float]:
    """Return the cosine similarity of ``source_sentence`` to each of ``sentences``."""
    if not isinstance(inputs, dict):
        raise validation_error("`inputs` must be an object with `source_sentence` and `sentences`")
    origin = embed_text(_text(inputs.get("source_sentence")), dimension)
    sentences = _texts(inputs.get("sentences"), "`sentences` must be a non-empty list of strings")
    return [round(sum(map(float.__mul__, origin, embed_text(s, dimension))), 4) for s in sentences]


HANDLERS: dict[str, Callable[..., Any]] = {
    "summarization": summarize,
    "translation": translate,
    "text-classification": classify_sentiment,
    "zero-shot-classification": zero_shot,
    "feature-extraction": feature_extraction,
    "sentence-similarity": sentence_similarity,
}  # the answer of each non-generation task, keyed by the task (the model's pipeline tag)


def answer(info: ModelInfo, inputs: Any, params: dict[str, Any], task: str | None = None) -> Any:
    """Return ``task``'s answer (default: the model's own); embeddings have the model's size."""
    task = task or info.pipeline_tag
    extra = {"dimension": info.dimension} if task in EMBEDDING_TAGS else {}
    return HANDLERS[task](inputs, params, **extra)
