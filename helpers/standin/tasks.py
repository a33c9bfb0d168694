"""The other hf-inference tasks, answered by small deterministic rules (not by models).

Each answer has the shape the real task returns and ``huggingface_hub.InferenceClient``
parses; the content is plausible, repeatable, and obviously simple.
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

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
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


def _text(inputs: Any) -> str:
    if not isinstance(inputs, str) or not inputs.strip():
        raise validation_error("`inputs` must be a non-empty string")
    return inputs


def summarize(inputs: Any, params: dict[str, Any]) -> list[dict[str, str]]:
    """Return ``[{"summary_text"}]``: the leading sentences, cut to ``max_length`` words."""
    text = " ".join(_text(inputs).split())
    sentences = SENTENCE_END.split(text)
    max_words = params.get("max_length", 60)
    if not isinstance(max_words, int) or isinstance(max_words, bool) or max_words <= 0:
        raise validation_error("`max_length` must be a positive integer")
    words = " ".join(sentences[:2]).split()
    return [{"summary_text": " ".join(words[:max_words])}]


def translate(inputs: Any, params: dict[str, Any]) -> list[dict[str, str]]:
    """Return ``[{"translation_text"}]``: English to French, word by word, from a tiny glossary."""
    text = _text(inputs)

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        french = FRENCH.get(word.lower(), word)
        return french.capitalize() if word[0].isupper() else french

    return [{"translation_text": WORD.sub(swap, text)}]


def classify_sentiment(inputs: Any, params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Return ``[[{"label", "score"}, …]]``: POSITIVE/NEGATIVE from counting lexicon words."""
    words = [w.lower() for w in WORD.findall(_text(inputs))]
    balance = sum(w in POSITIVE for w in words) - sum(w in NEGATIVE for w in words)
    positive = 1 / (1 + math.exp(-2.0 * balance)) if balance else 0.5
    scores = [
        {"label": "POSITIVE", "score": round(positive, 4)},
        {"label": "NEGATIVE", "score": round(1 - positive, 4)},
    ]
    return [sorted(scores, key=lambda s: -s["score"])]


def zero_shot(inputs: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Return ``[{"label", "score"}, …]``: labels scored by the words they share with the text."""
    text_words = {w.lower() for w in WORD.findall(_text(inputs))}
    labels = params.get("candidate_labels")
    if (
        not isinstance(labels, list)
        or not labels
        or not all(isinstance(label, str) and label.strip() for label in labels)
    ):
        raise validation_error("`candidate_labels` must be a non-empty list of strings")
    raw = []
    for label in labels:
        label_words = {w.lower() for w in WORD.findall(label)}
        label_words |= set(RELATED.get(label.lower().strip(), "").split())
        overlap = len(label_words & text_words) + 0.5 * sum(
            any(t.startswith(lw[:4]) for t in text_words) for lw in label_words if len(lw) >= 4
        )
        raw.append(overlap)
    exp = [math.exp(2 * r) for r in raw]
    total = sum(exp)
    if params.get("multi_label"):
        scores = [1 / (1 + math.exp(-(2 * r - 1))) for r in raw]
    else:
        scores = [e / total for e in exp]
    pairs = sorted(zip(labels, scores, strict=True), key=lambda p: -p[1])
    return [{"label": label, "score": round(score, 4)} for label, score in pairs]


RELATED = {
    "travel": "train station journey trip road map travellers traveller boat bridge city",
    "cooking": "bread oven baker bakers kitchen dough tea cheese honey harvest",
    "sports": "game ball team match race score player",
    "weather": "rain sun cloud clouds wind storm forecast sky shower cold warm",
    "music": "song piano musician notes sound hall",
    "technology": "robot machine model api server language computer laboratory",
}
"""Words that count towards a label in zero-shot classification, besides the label itself."""


def _bucket(feature: str, dimension: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "big")
    return value % dimension, 1.0 if value >> 63 else -1.0


def embed_text(text: str, dimension: int = DEFAULT_EMBEDDING_DIM, normalize: bool = True):
    """Return a hashed bag-of-words vector of ``text`` (words and their 4-letter stems).

    Texts that share words get a high cosine similarity; the same text always gets the same
    vector. Not a learned embedding: a stand-in with the right shape and a sensible geometry.
    """
    vector = [0.0] * dimension
    for word in (w.lower() for w in WORD.findall(text)):
        for feature, weight in ((word, 1.0), ("stem:" + word[:4], 0.5)):
            index, sign = _bucket(feature, dimension)
            vector[index] += sign * weight
    norm = math.sqrt(sum(x * x for x in vector))
    if normalize and norm:
        vector = [x / norm for x in vector]
    return [round(x, 6) for x in vector]


def _texts(inputs: Any) -> list[str]:
    if isinstance(inputs, str):
        return [_text(inputs)]
    if isinstance(inputs, list) and inputs and all(isinstance(t, str) for t in inputs):
        return [_text(t) for t in inputs]
    raise validation_error("`inputs` must be a non-empty string or a non-empty list of strings")


def feature_extraction(
    inputs: Any, params: dict[str, Any], dimension: int = DEFAULT_EMBEDDING_DIM
) -> list[list[float]]:
    """Return one vector per input text, as an array of arrays (the task's output spec).

    ``normalize`` (default true) scales each vector to length 1; ``truncate`` and
    ``prompt_name`` are accepted and change nothing in the stand-in.
    """
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
    source = _text(inputs.get("source_sentence"))
    sentences = inputs.get("sentences")
    if not isinstance(sentences, list) or not sentences:
        raise validation_error("`sentences` must be a non-empty list of strings")
    origin = embed_text(source, dimension)
    return [
        round(sum(a * b for a, b in zip(origin, embed_text(s, dimension), strict=True)), 4)
        for s in _texts(sentences)
    ]


MASK = "[MASK]"
FILLERS = ("capital", "heart", "centre", "pride", "home", "city", "name", "future", "best", "part")


def fill_mask(inputs: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Return ``[{"sequence", "score", "token", "token_str"}, …]`` for the ``[MASK]`` slot.

    Candidates come from a short list of common words (or ``targets``), ranked by a hash of
    the sentence: repeatable, not a language model's guess.
    """
    text = _text(inputs)
    if text.count(MASK) != 1:
        raise validation_error(f"the input must contain the mask token {MASK} exactly once")
    top_k = params.get("top_k", 5)
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k <= 0:
        raise validation_error("`top_k` must be a positive integer")
    targets = params.get("targets", FILLERS)
    if not isinstance(targets, (list, tuple)) or not all(isinstance(t, str) for t in targets):
        raise validation_error("`targets` must be a list of strings")
    ranked = sorted(targets, key=lambda word: _bucket(text + "|" + word, 1 << 30)[0])
    weights = [1.0 / (rank + 1) for rank in range(len(ranked))]
    total = sum(weights)
    return [
        {
            "sequence": text.replace(MASK, word),
            "score": round(weight / total, 4),
            "token": _bucket(word, 30_000)[0],
            "token_str": word,
        }
        for word, weight in list(zip(ranked, weights, strict=True))[:top_k]
    ]


def question_answering(inputs: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Return ``{"answer", "score", "start", "end"}``: the context sentence that shares the
    most words with the question."""
    if not isinstance(inputs, dict):
        raise validation_error("`inputs` must be an object with `question` and `context`")
    question = {w.lower() for w in WORD.findall(_text(inputs.get("question")))}
    context = _text(inputs.get("context"))
    best, best_overlap, start = context, -1, 0
    offset = 0
    for sentence in SENTENCE_END.split(context):
        found = context.find(sentence, offset)
        offset = found + len(sentence)
        overlap = len(question & {w.lower() for w in WORD.findall(sentence)})
        if overlap > best_overlap:
            best, best_overlap, start = sentence, overlap, found
    score = round(1 - 1 / (2 + best_overlap), 4)
    return {"answer": best, "score": score, "start": start, "end": start + len(best)}


HANDLERS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "summarization": summarize,
    "translation": translate,
    "text-classification": classify_sentiment,
    "zero-shot-classification": zero_shot,
    "fill-mask": fill_mask,
    "question-answering": question_answering,
    "feature-extraction": feature_extraction,
    "sentence-similarity": sentence_similarity,
}
"""The answer of each non-generation task, keyed by the task (the model's pipeline tag)."""


def handler_for(info: ModelInfo, task: str | None = None) -> Callable[[Any, dict[str, Any]], Any]:
    """Return the function that answers ``task`` (default: the model's own) for this model.

    Embeddings answer vectors of the model's dimension (from the catalogue).
    """
    task = task or info.pipeline_tag
    if task not in HANDLERS:
        raise LookupError(f"the stand-in has no answer for task {task!r} ({info.id})")
    if task in ("feature-extraction", "sentence-similarity"):
        return partial(HANDLERS[task], dimension=info.dimension)
    return HANDLERS[task]
