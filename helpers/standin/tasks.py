"""The other hf-inference tasks, answered by small deterministic rules (not by models).

Each answer has the shape the real task returns and ``huggingface_hub.InferenceClient``
parses; the content is plausible, repeatable, and obviously simple.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .responses import validation_error

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[A-Za-z']+")
POSITIVE = set(
    [
        "good",
        "great",
        "love",
        "loved",
        "lovely",
        "excellent",
        "happy",
        "wonderful",
        "best",
        "fantastic",
        "enjoy",
        "enjoyed",
        "nice",
        "bright",
        "proud",
        "beautiful",
        "fresh",
        "warm",
        "delighted",
        "brilliant",
        "amazing",
        "like",
        "liked",
        "fun",
        "calm",
    ]
)
NEGATIVE = set(
    [
        "bad",
        "terrible",
        "hate",
        "hated",
        "awful",
        "sad",
        "worst",
        "boring",
        "poor",
        "broken",
        "slow",
        "angry",
        "ugly",
        "cold",
        "wet",
        "dark",
        "afraid",
        "failed",
        "fail",
        "wrong",
        "lost",
        "disappointing",
        "horrible",
        "dislike",
    ]
)
FRENCH = {
    "the": "le",
    "a": "un",
    "an": "un",
    "and": "et",
    "is": "est",
    "are": "sont",
    "i": "je",
    "you": "vous",
    "we": "nous",
    "it": "il",
    "hello": "bonjour",
    "world": "monde",
    "good": "bon",
    "morning": "matin",
    "evening": "soir",
    "thank": "merci",
    "thanks": "merci",
    "house": "maison",
    "cat": "chat",
    "dog": "chien",
    "book": "livre",
    "city": "ville",
    "sea": "mer",
    "sun": "soleil",
    "rain": "pluie",
    "weather": "temps",
    "today": "aujourd'hui",
    "tomorrow": "demain",
    "bread": "pain",
    "water": "eau",
    "train": "train",
    "station": "gare",
    "garden": "jardin",
    "small": "petit",
    "big": "grand",
    "old": "vieux",
    "new": "nouveau",
    "my": "mon",
    "your": "votre",
    "love": "aime",
    "like": "aime",
    "read": "lis",
    "with": "avec",
    "in": "dans",
    "on": "sur",
    "of": "de",
    "to": "à",
    "for": "pour",
    "this": "ce",
    "very": "très",
}


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


HANDLERS = {
    "summarization": summarize,
    "translation": translate,
    "text-classification": classify_sentiment,
    "zero-shot-classification": zero_shot,
}
