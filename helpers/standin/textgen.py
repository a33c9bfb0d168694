"""The stand-in's text generator: a word-level trigram model with real sampling.

It is small and it is *not* a language model of any quality. What it does for real is what
the lessons need: it honours ``temperature``, ``top_k``, ``top_p``, ``repetition_penalty``,
``do_sample``, ``seed``, ``stop``, ``max_new_tokens`` and ``return_full_text`` the way TGI
does (penalty, then temperature, then top-k, then top-p; sampling switches on when
``do_sample`` is true or any of temperature/top_k/top_p/typical_p is set), so parameter
experiments show real effects.
"""

from __future__ import annotations

import math
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..data import data_path

EOS = "<|endoftext|>"
DEFAULT_MAX_NEW_TOKENS = 40
WORD_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9]")

# Interpolation weights of the trigram, bigram and unigram estimates.
LAMBDAS = (0.70, 0.25, 0.05)


def tokenize(text: str) -> list[str]:
    """Return the words and punctuation marks of ``text``, in order."""
    return WORD_RE.findall(text)


def token_text(word: str) -> str:
    """Return a token's text as it is appended to the output (GPT-2 style leading space)."""
    return word if not word[:1].isalnum() else " " + word


@dataclass
class Token:
    """One generated token, as TGI reports it."""

    id: int
    text: str
    logprob: float
    special: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "logprob": round(self.logprob, 4),
            "special": self.special,
        }


@dataclass
class Generation:
    """The result of one generation."""

    prompt: str
    tokens: list[Token] = field(default_factory=list)
    finish_reason: str = "length"
    seed: int | None = None
    input_length: int = 0

    @property
    def text(self) -> str:
        """Return the generated text only (without the prompt)."""
        return "".join(t.text for t in self.tokens if not t.special)


def load_corpus(path: Path | None = None) -> list[str]:
    """Return the corpus' texts: blocks separated by blank lines, # comments dropped."""
    path = path or data_path("standin_corpus.txt")
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    blocks = "\n".join(lines).split("\n\n")
    return [" ".join(b.split()) for b in blocks if b.strip()]


class TrigramModel:
    """A word-level trigram model with interpolated estimates over a fixed vocabulary."""

    def __init__(self, texts: Iterable[str]):
        vocab: dict[str, int] = {EOS: 0}
        unigram: Counter[int] = Counter()
        bigram: dict[int, Counter[int]] = defaultdict(Counter)
        trigram: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
        for text in texts:
            ids = [vocab.setdefault(w, len(vocab)) for w in tokenize(text)] + [0]
            for i, tok in enumerate(ids):
                unigram[tok] += 1
                if i >= 1:
                    bigram[ids[i - 1]][tok] += 1
                if i >= 2:
                    trigram[(ids[i - 2], ids[i - 1])][tok] += 1
        self.vocab = vocab
        self.words = [""] * len(vocab)
        for word, idx in vocab.items():
            self.words[idx] = word
        self.lower_ids = {w.lower(): i for w, i in vocab.items()}
        size = len(vocab)
        counts = np.zeros(size)
        for idx, n in unigram.items():
            counts[idx] = n
        self.p_unigram = counts / counts.sum()
        self.bigram = {k: self._to_arrays(c) for k, c in bigram.items()}
        self.trigram = {k: self._to_arrays(c) for k, c in trigram.items()}

    @staticmethod
    def _to_arrays(counter: Counter[int]) -> tuple[np.ndarray, np.ndarray]:
        ids = np.fromiter(counter.keys(), dtype=np.int64)
        n = np.fromiter(counter.values(), dtype=np.float64)
        return ids, n / n.sum()

    def ids_of(self, words: list[str]) -> list[int | None]:
        """Return the vocabulary id of each word (case-folded), or None when unknown."""
        return [self.vocab.get(w, self.lower_ids.get(w.lower())) for w in words]

    def distribution(self, context: list[int | None]) -> np.ndarray:
        """Return P(next token | last two tokens of ``context``) over the vocabulary."""
        probs = LAMBDAS[2] * self.p_unigram.copy()
        weight_left = LAMBDAS[0] + LAMBDAS[1]
        prev = context[-1] if context else None
        if prev is not None and prev in self.bigram:
            ids, p = self.bigram[prev]
            probs[ids] += LAMBDAS[1] * p
            weight_left -= LAMBDAS[1]
        if len(context) >= 2 and None not in context[-2:] and tuple(context[-2:]) in self.trigram:
            ids, p = self.trigram[tuple(context[-2:])]
            probs[ids] += LAMBDAS[0] * p
            weight_left -= LAMBDAS[0]
        probs += weight_left * self.p_unigram  # back off: give unused weight to unigrams
        return probs / probs.sum()


def uses_sampling(params: dict[str, Any], parameters_given: bool) -> bool:
    """Return True when TGI would sample rather than pick the most likely token."""
    if not parameters_given:
        return True  # TGI's default_parameters(): do_sample is true when parameters is absent
    if params.get("do_sample"):
        return True
    temperature = params.get("temperature")
    return (
        (temperature is not None and temperature != 1.0)
        or bool(params.get("top_k"))
        or (params.get("top_p") is not None and params["top_p"] < 1.0)
        or (params.get("typical_p") is not None and params["typical_p"] < 1.0)
    )


def warp(logp: np.ndarray, params: dict[str, Any], seen: set[int]) -> np.ndarray:
    """Return log-scores after repetition penalty, temperature, top-k and top-p (TGI order)."""
    scores = logp.copy()
    penalty = params.get("repetition_penalty")
    if penalty and penalty != 1.0 and seen:
        idx = np.fromiter(seen, dtype=np.int64)
        s = scores[idx]
        scores[idx] = np.where(s < 0, s * penalty, s / penalty)
    temperature = params.get("temperature")
    if temperature and temperature != 1.0:
        scores = scores / temperature
    top_k = params.get("top_k")
    if top_k and top_k < scores.size:
        keep = np.argsort(-scores, kind="stable")[: int(top_k)]  # exactly k, ties to lower ids
        cut = np.full(scores.size, -np.inf)
        cut[keep] = scores[keep]
        scores = cut
    top_p = params.get("top_p")
    if top_p is not None and top_p < 1.0:
        order = np.argsort(-scores, kind="stable")
        probs = np.exp(scores[order] - np.max(scores))
        probs /= probs.sum()
        cumulative = np.cumsum(probs)
        keep = int(np.searchsorted(cumulative, top_p) + 1)
        cut = np.full(scores.size, -np.inf)
        cut[order[:keep]] = scores[order[:keep]]
        scores = cut
    return scores


class TextGenerator:
    """Generates text from the trigram model the way a TGI server would."""

    def __init__(self, model: TrigramModel | None = None):
        self.model = model or TrigramModel(load_corpus())

    def count_tokens(self, text: str) -> int:
        """Return the number of tokens the stand-in sees in ``text``."""
        return len(tokenize(text))

    def generate(
        self, prompt: str, params: dict[str, Any] | None = None, min_new_tokens: int = 0
    ) -> Generation:
        """Return a Generation for ``prompt`` with TGI-style ``params`` (already validated).

        ``min_new_tokens`` forbids the end-of-text token until that many tokens exist (the chat
        route uses it so that a question ending in "?" does not get an empty answer).
        """
        given = params is not None
        params = dict(params or {})
        words = tokenize(prompt)
        context = self.model.ids_of(words)
        sampling = uses_sampling(params, given)
        seed = params.get("seed")
        if sampling and seed is None:
            seed = secrets.randbits(63)
        rng = np.random.default_rng(seed if sampling else 0)
        max_new = int(params.get("max_new_tokens") or DEFAULT_MAX_NEW_TOKENS)
        stops = params.get("stop") or []
        seen = {i for i in context if i is not None}
        result = Generation(
            prompt=prompt, seed=int(seed) if sampling else None, input_length=len(words)
        )
        text = ""
        for _ in range(max_new):
            with np.errstate(divide="ignore"):
                logp = np.log(self.model.distribution(context))
            if len(result.tokens) < min_new_tokens:
                logp[0] = -np.inf
            scores = warp(logp, params, seen)
            probs = np.exp(scores - np.max(scores))
            probs /= probs.sum()
            choice = int(rng.choice(probs.size, p=probs)) if sampling else int(np.argmax(probs))
            logprob = float(math.log(probs[choice]))
            if choice == 0:
                result.tokens.append(Token(0, "", logprob, special=True))
                result.finish_reason = "eos_token"
                return result
            word = self.model.words[choice]
            tok = Token(choice, token_text(word), logprob)
            result.tokens.append(tok)
            text += tok.text
            context.append(choice)
            seen.add(choice)
            if any(text.endswith(s) for s in stops if s):
                result.finish_reason = "stop_sequence"
                return result
        result.finish_reason = "length"
        return result
