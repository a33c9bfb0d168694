"""The hf-inference tasks the course calls (summarization, translation, sentiment, zero-shot,
embeddings), answered by small deterministic rules, not by models: each answer has the shape
the real task returns and ``huggingface_hub.InferenceClient`` parses.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from .catalog import DEFAULT_EMBEDDING_DIM, ModelInfo
from .errors import validation_error

WORD = re.compile(r"[A-Za-z']+")
POSITIVE = frozenset(
    str.split(
        "amazing beautiful best bright brilliant calm delighted enjoy enjoyed excellent fantastic "
        "fresh fun good great happy like liked love loved lovely nice proud warm wonderful"
    )
)
NEGATIVE = frozenset(
    str.split(
        "afraid angry awful bad boring broken cold dark disappointing dislike fail failed hate "
        "hated horrible lost poor sad slow terrible ugly wet worst wrong"
    )
)
FRENCH = dict(
    pair.split(":")
    for pair in str.split(
        "the:le a:un an:un and:et is:est are:sont i:je you:vous we:nous it:il hello:bonjour "
        "world:monde good:bon morning:matin evening:soir thank:merci thanks:merci house:maison "
        "cat:chat dog:chien book:livre city:ville sea:mer sun:soleil rain:pluie weather:temps "
        "today:aujourd'hui tomorrow:demain bread:pain water:eau train:train station:gare "
        "garden:jardin small:petit big:grand old:vieux new:nouveau my:mon your:votre love:aime "
        "like:aime read:lis with:avec in:dans on:sur of:de to:à for:pour this:ce very:très"
    )
)
"""A word-for-word English -> French table for the translation task (visibly simple)."""
RELATED = {
    "travel": "train station journey trip road map travellers traveller boat bridge city",
    "cooking": "bread oven baker bakers kitchen dough tea cheese honey harvest",
    "sports": "game ball team match race score player",
    "weather": "rain sun cloud clouds wind storm forecast sky shower cold warm",
    "music": "song piano musician notes sound hall",
    "technology": "robot machine model api server language computer laboratory",
}
"""Words that count towards a label in zero-shot classification, besides the label itself."""


def _text(inputs: Any) -> str:
    if not isinstance(inputs, str) or not inputs.strip():
        raise validation_error("`inputs` must be a non-empty string")
    return inputs


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


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
        french = FRENCH.get(word.lower(), word)
        return french.capitalize() if word[0].isupper() else french

    return [{"translation_text": WORD.sub(swap, _text(inputs))}]


def classify_sentiment(inputs: Any, params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Return ``[[{"label", "score"}, …]]``: POSITIVE/NEGATIVE from counting lexicon words."""
    words = _words(_text(inputs))
    balance = sum(w in POSITIVE for w in words) - sum(w in NEGATIVE for w in words)
    positive = 1 / (1 + math.exp(-2.0 * max(-20, min(balance, 20))))
    scores = [
        {"label": "POSITIVE", "score": round(positive, 4)},
        {"label": "NEGATIVE", "score": round(1 - positive, 4)},
    ]
    return [sorted(scores, key=lambda s: -s["score"])]


def zero_shot(inputs: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Return ``[{"label", "score"}, …]``: labels scored by the words they share with the text
    (or with ``RELATED``), 4-letter prefixes counting half."""
    text_words = set(_words(_text(inputs)))
    labels = params.get("candidate_labels")
    if (
        not isinstance(labels, list)
        or not labels
        or not all(isinstance(label, str) and label.strip() for label in labels)
    ):
        raise validation_error("`candidate_labels` must be a non-empty list of strings")
    raw = []
    for label in labels:
        words = set(_words(label)) | set(RELATED.get(label.lower().strip(), "").split())
        prefixes = sum(any(t.startswith(w[:4]) for t in text_words) for w in words if len(w) >= 4)
        raw.append(len(words & text_words) + 0.5 * prefixes)
    if params.get("multi_label"):
        scores = [1 / (1 + math.exp(1 - 2 * r)) for r in raw]
    else:
        exp = [math.exp(2 * (r - max(raw))) for r in raw]
        scores = [e / sum(exp) for e in exp]
    pairs = sorted(zip(labels, scores, strict=True), key=lambda p: -p[1])
    return [{"label": label, "score": round(score, 4)} for label, score in pairs]


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


def _texts(inputs: Any) -> list[str]:
    if isinstance(inputs, list) and inputs and all(isinstance(t, str) for t in inputs):
        return [_text(t) for t in inputs]
    if isinstance(inputs, str):
        return [_text(inputs)]
    raise validation_error("`inputs` must be a non-empty string or a non-empty list of strings")


def feature_extraction(
    inputs: Any, params: dict[str, Any], dimension: int = DEFAULT_EMBEDDING_DIM
) -> list[list[float]]:
    """Return one vector per input text; ``normalize`` (default true) scales each to length 1
    (``truncate`` and ``prompt_name`` are accepted and change nothing)."""
    normalize = params.get("normalize", True)
    if not isinstance(normalize, bool):
        raise validation_error("`normalize` must be a boolean")
    return [embed_text(text, dimension, normalize) for text in _texts(inputs)]


def sentence_similarity(
    inputs: Any, params: dict[str, Any], dimension: int = DEFAULT_EMBEDDING_DIM
) -> list[float]:
    """Return the cosine similarity of ``source_sentence`` to each of ``sentences``."""
    if not isinstance(inputs, dict):
        raise validation_error("`inputs` must be an object with `source_sentence` and `sentences`")
    origin = embed_text(_text(inputs.get("source_sentence")), dimension)
    if not isinstance(inputs.get("sentences"), list) or not inputs["sentences"]:
        raise validation_error("`sentences` must be a non-empty list of strings")
    return [
        round(sum(a * b for a, b in zip(origin, embed_text(s, dimension), strict=True)), 4)
        for s in _texts(inputs["sentences"])
    ]


HANDLERS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "summarization": summarize,
    "translation": translate,
    "text-classification": classify_sentiment,
    "zero-shot-classification": zero_shot,
    "feature-extraction": feature_extraction,
    "sentence-similarity": sentence_similarity,
}
"""The answer of each non-generation task, keyed by the task (the model's pipeline tag)."""


def handler_for(info: ModelInfo, task: str | None = None) -> Callable[[Any, dict[str, Any]], Any]:
    """Return the function that answers ``task`` (default: the model's own) for this model;
    embeddings have the model's dimension (from the catalogue)."""
    task = task or info.pipeline_tag
    if task not in HANDLERS:
        raise LookupError(f"the stand-in has no answer for task {task!r} ({info.id})")
    if task in ("feature-extraction", "sentence-similarity"):
        return partial(HANDLERS[task], dimension=info.dimension)
    return HANDLERS[task]
