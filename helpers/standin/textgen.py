"""The stand-in's text generator: TGI's sampling over the corpus model (``corpus.py``).

Not a language model of any quality, and its text is never a real model's; what it does for
real is what the lessons need: whole corpus sentences, confident preferences, and **TGI's
logits pipeline** (``server/text_generation_server/utils/tokens.py`` and ``logits_process.py``
@ ``db931fcf``): watermark, repetition and frequency penalties, then temperature, top-k, top-p,
typical-p; sampling when ``do_sample`` or any warper is set; a token's ``logprob`` (and its
alternatives) from the log-softmax of the warped scores, the distribution actually sampled.
Also ``seed``, ``stop``, ``max_new_tokens``, ``truncate``, ``top_n_tokens``, prefill
log-probs, ``best_of``. Deviation: with no ``max_new_tokens`` TGI generates up to
``max_total_tokens - input_length``; the stand-in stops at ``DEFAULT_MAX_NEW_TOKENS``.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .corpus import (
    DEFAULT_MAX_NEW_TOKENS,
    MIN_TEMPERATURE,
    UNKNOWN_ID_BASE,
    WATERMARK_DELTA,
    WATERMARK_GAMMA,
    WATERMARK_HASH_KEY,
    WORD_RE,
    CorpusModel,
    _stable_hash,
    focus_words,
    load_corpus,
    token_text,
    tokenize,
)

__all__ = ["WORD_RE", "Continuation", "TextGenerator", "Token", "load_corpus", "tokenize"]


@dataclass
class Token:
    """One token, as TGI reports it; ``top`` holds its best alternatives when asked for."""

    id: int
    text: str
    logprob: float | None
    special: bool = False
    top: list[Token] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return TGI's ``Token`` object (``id``, ``text``, ``logprob``, ``special``)."""
        return {
            "id": self.id,
            "text": self.text,
            "logprob": None if self.logprob is None else round(self.logprob, 4),
            "special": self.special,
        }

    def to_prefill_dict(self) -> dict[str, Any]:
        """Return TGI's ``PrefillToken`` (no ``special``; the first one has logprob null)."""
        return {
            "id": self.id,
            "text": self.text,
            "logprob": None if self.logprob is None else round(self.logprob, 4),
        }


@dataclass
class Continuation:
    """The result of one generation: the prompt's continuation and how it ended."""

    prompt: str
    tokens: list[Token] = field(default_factory=list)
    finish_reason: str = "length"
    seed: int | None = None
    input_length: int = 0
    prefill: list[Token] = field(default_factory=list)
    best_of_sequences: list[Continuation] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Return the generated text only (without the prompt)."""
        return "".join(t.text for t in self.tokens if not t.special)

    @property
    def mean_logprob(self) -> float:
        """Mean log-prob per generated token (how TGI's ``best_of`` picks its answer)."""
        values = [t.logprob for t in self.tokens if t.logprob is not None]
        return sum(values) / len(values) if values else -math.inf


def uses_sampling(params: dict[str, Any], parameters_given: bool) -> bool:
    """Return True when TGI would sample rather than pick the most likely token.

    TGI (``utils/tokens.py`` @ ``db931fcf``): ``do_sample`` or any warper (temperature ≠ 1,
    top_k ≠ 0, top_p < 1, typical_p < 1); with no ``parameters`` object at all,
    ``default_parameters()`` in ``router/src/lib.rs`` sets ``do_sample`` to true.
    """
    if not parameters_given:
        return True
    if params.get("do_sample"):
        return True
    return has_warpers(params)


def has_warpers(params: dict[str, Any]) -> bool:
    """Return True when a warper (temperature, top_k, top_p, typical_p) changes the scores."""
    temperature = params.get("temperature")
    return (
        (temperature is not None and temperature != 1.0)
        or bool(params.get("top_k"))
        or (params.get("top_p") is not None and params["top_p"] < 1.0)
        or (params.get("typical_p") is not None and params["typical_p"] < 1.0)
    )


def _keep(scores: np.ndarray, keep: np.ndarray) -> np.ndarray:
    cut = np.full(scores.size, -np.inf)
    cut[keep] = scores[keep]
    return cut


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    top = np.max(scores)
    shifted = scores - top
    with np.errstate(divide="ignore"):
        return shifted - np.log(np.sum(np.exp(shifted)))


def penalize(
    scores: np.ndarray, params: dict[str, Any], history: list[int], seen: set[int]
) -> np.ndarray:
    """Apply repetition and frequency penalties over the tokens so far (prompt included)."""
    penalty = params.get("repetition_penalty")
    if penalty and penalty != 1.0 and seen:
        idx = np.fromiter(seen, dtype=np.int64)
        s = scores[idx]
        scores[idx] = np.where(s < 0, s * penalty, s / penalty)
    frequency = params.get("frequency_penalty")
    if frequency and history:
        # HeterogeneousFrequencyPenaltyLogitsProcessor: scores -= count / length * penalty
        counts = np.bincount(np.asarray(history, dtype=np.int64), minlength=scores.size)
        scores -= counts[: scores.size] / len(history) * frequency
    return scores


def warp(logp: np.ndarray, params: dict[str, Any], seen: set[int]) -> np.ndarray:
    """Return scores after repetition penalty and the warpers (TGI's order).

    Order: repetition penalty, temperature, top-k (exactly k, ties to lower ids), top-p,
    typical-p (``StaticWarper`` in ``utils/logits_process.py`` @ ``db931fcf``).
    """
    scores = penalize(
        logp.copy(), {"repetition_penalty": params.get("repetition_penalty")}, [], seen
    )
    return apply_warpers(scores, params)


def apply_warpers(scores: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """Return scores after temperature, top-k, top-p and typical-p, in TGI's order."""
    temperature = params.get("temperature")
    if temperature and temperature != 1.0:
        # Below 1e-4 the result is already greedy; dividing by 1e-311 would overflow to inf,
        # and inf - inf is NaN (a 500 found by the fuzz tests).
        scores = scores / max(temperature, MIN_TEMPERATURE)
    top_k = params.get("top_k")
    if top_k and top_k < scores.size:
        scores = _keep(scores, np.argsort(-scores, kind="stable")[: int(top_k)])
    top_p = params.get("top_p")
    if top_p is not None and top_p < 1.0:
        order = np.argsort(-scores, kind="stable")
        probs = np.exp(_log_softmax(scores)[order])
        keep = int(np.searchsorted(np.cumsum(probs), top_p) + 1)
        scores = _keep(scores, order[:keep])
    typical_p = params.get("typical_p")
    if typical_p is not None and typical_p < 1.0:
        scores = _typical(scores, typical_p)
    return scores


def _typical(scores: np.ndarray, mass: float) -> np.ndarray:
    """Typical decoding (Meister et al. 2022) as TGI's TypicalLogitsWarper does it."""
    logp = _log_softmax(scores)
    p = np.exp(logp)
    finite = np.isfinite(logp)
    entropy = -np.sum(logp[finite] * p[finite])
    shifted = np.where(finite, np.abs(-logp - entropy), np.inf)
    order = np.argsort(shifted, kind="stable")
    cumulative = np.cumsum(p[order])
    last = min(int(np.sum(cumulative < mass)), scores.size - 1)
    return _keep(scores, order[: last + 1])


def _sampler(params: dict[str, Any], given: bool) -> tuple[bool, int | None, np.random.Generator]:
    """Return (sampling?, seed, generator): TGI samples with a random seed unless one is sent."""
    sampling = uses_sampling(params, given)
    seed = params.get("seed")
    if sampling and seed is None:
        seed = secrets.randbits(63)
    return sampling, seed, np.random.default_rng(seed if sampling else 0)


def _stopped(text: str, last: str, stops: list[str], anywhere: bool) -> bool:
    """Return True when ``text`` (``last`` just added) hits a stop sequence."""
    if anywhere:
        return any(s in text[max(0, len(text) - len(last) - len(s) + 1) :] for s in stops)
    return any(text.endswith(s) for s in stops)


class TextGenerator:
    """Generates text from the n-gram model the way a TGI server would."""

    def __init__(self, model: CorpusModel | None = None):
        self.model = model or CorpusModel(load_corpus())

    def count_tokens(self, text: str) -> int:
        """Return the number of tokens the stand-in sees in ``text``."""
        return len(tokenize(text))

    def token_id(self, word: str, known: int | None) -> int:
        """Return a word's id: its vocabulary id, or a stable id above the vocabulary."""
        if known is not None:
            return known
        return UNKNOWN_ID_BASE + _stable_hash(word) % 1_000_000

    def prefill(self, prompt: str, truncate: int | None = None) -> list[Token]:
        """Return the prompt's tokens with their log-probs under the model (first: None).

        What TGI returns as ``details.prefill`` for ``decoder_input_details``.
        """
        words = tokenize(prompt)
        if truncate is not None:
            words = words[-truncate:]
        ids = self.model.ids_of(words)
        focus = focus_words(prompt)
        result: list[Token] = []
        for i, (word, idx) in enumerate(zip(words, ids, strict=True)):
            logprob: float | None = None
            if i > 0:
                logp = _log_softmax(self.model.logits(ids[:i], focus))
                logprob = float(logp[idx]) if idx is not None else float(np.min(logp))
            result.append(Token(self.token_id(word, idx), token_text(word), logprob))
        return result

    def alternatives(self, logprobs: np.ndarray, n: int) -> list[Token]:
        """Return the ``n`` most likely tokens of a (log-softmaxed) distribution, best first."""
        if n <= 0:
            return []
        n = min(n, logprobs.size)
        best = np.argpartition(-logprobs, n - 1)[:n]
        best = best[np.argsort(-logprobs[best], kind="stable")]
        return [
            Token(
                int(i),
                token_text(self.model.words[i]) if i else "",
                float(logprobs[i]),
                bool(i == 0),
            )
            for i in best
            if np.isfinite(logprobs[i])
        ]

    def generate(
        self,
        prompt: str,
        params: dict[str, Any] | None = None,
        min_new_tokens: int = 0,
        *,
        top_n: int = 0,
        stop_anywhere: bool = False,
        fresh: bool = False,
    ) -> Continuation:
        """Return a Continuation for ``prompt`` with TGI-style ``params`` (None: TGI samples).

        ``min_new_tokens`` holds back end-of-text; ``top_n`` fills each token's alternatives; a
        stop sequence ends the text when it *ends* with one (TGI's ``StopSequenceCriteria``), or
        anywhere with ``stop_anywhere`` (vLLM); ``fresh`` starts a new sentence about the prompt.
        """
        given = params is not None
        params = dict(params or {})
        words = tokenize(prompt)
        truncate = params.get("truncate")
        if truncate:
            words = words[-int(truncate) :]
        context = self.model.ids_of(words)
        focus = focus_words(prompt)
        if fresh:
            context += [None, self.model.vocab["."]]  # a finished sentence the corpus lacks
        sampling, seed, rng = _sampler(params, given)
        max_new = int(params.get("max_new_tokens") or DEFAULT_MAX_NEW_TOKENS)
        stops = [s for s in params.get("stop") or [] if s]
        history = [i for i in context if i is not None]
        seen, text = set(history), ""
        top_n = max(top_n, int(params.get("top_n_tokens") or 0))
        result = Continuation(prompt, seed=int(seed) if sampling else None, input_length=len(words))
        if params.get("decoder_input_details"):
            result.prefill = self.prefill(prompt, truncate)
        warped = has_warpers(params)
        for _ in range(max_new):
            early = len(result.tokens) < min_new_tokens
            logprobs = self._logprobs(context, focus, params, history, seen, early, warped)
            choice = int(
                rng.choice(logprobs.size, p=np.exp(logprobs)) if sampling else np.argmax(logprobs)
            )
            top = self.alternatives(logprobs, top_n)
            logprob = float(logprobs[choice])
            if choice == 0:
                result.tokens.append(Token(0, "", logprob, special=True, top=top))
                result.finish_reason = "eos_token"
                return result
            tok = Token(choice, token_text(self.model.words[choice]), logprob, top=top)
            result.tokens.append(tok)
            text += tok.text
            context.append(choice)
            history.append(choice)
            seen.add(choice)
            if _stopped(text, tok.text, stops, stop_anywhere):
                result.finish_reason = "stop_sequence"
                return result
        result.finish_reason = "length"
        return result

    def _logprobs(self, context, focus, params, history, seen, early: bool, warped: bool):
        """Return the log-probabilities of the next token, after TGI's logits pipeline."""
        scores = self.model.logits(context, focus).copy()
        if early:
            scores[0] = -np.inf
        if params.get("watermark") and context and context[-1] is not None:
            scores[self._greenlist(context[-1])] += WATERMARK_DELTA
        scores = penalize(scores, params, history, seen)
        if warped:
            scores = apply_warpers(scores, params)
        return _log_softmax(scores)

    def sentence(self, about: str, seed: int) -> str:
        """Return one whole corpus sentence about ``about``'s words, the same for the same seed
        (the text of a structured value when the conversation offers none): the shortest of
        three drawn, as a value is short."""
        drawn = []
        for offset in range(3):
            params = {"do_sample": True, "seed": seed + offset, "max_new_tokens": 80}
            params["stop"] = [".", "!", "?"]
            drawn.append(self.generate(about, params, fresh=True).text.strip())
        return min(drawn, key=lambda text: (len(text), text))

    def generate_best_of(self, prompt: str, params: dict[str, Any], best_of: int) -> Continuation:
        """Generate ``best_of`` sequences, each with its own random seed, and return the one
        with the highest mean token log-prob; the others go to ``best_of_sequences``
        (``Infer::generate_best_of`` in ``router/src/infer/mod.rs`` @ ``db931fcf``)."""
        runs = [
            self.generate(prompt, {**params, "seed": secrets.randbits(63)})
            for _ in range(max(best_of, 1))
        ]
        best = max(range(len(runs)), key=lambda i: runs[i].mean_logprob)
        winner = runs.pop(best)
        winner.best_of_sequences = runs
        return winner

    def _greenlist(self, previous: int) -> np.ndarray:
        """Return the watermark's green ids for the previous token (Kirchenbauer et al. 2023).

        As TGI's WatermarkLogitsProcessor: a permutation of the vocabulary seeded by
        ``hash_key * previous``; the first ``gamma`` share gets ``+delta``. (TGI uses torch's
        generator; the stand-in numpy's, so the green lists differ from a real server's.)
        """
        rng = np.random.default_rng(WATERMARK_HASH_KEY * previous)
        size = self.model.size
        return rng.permutation(size)[: int(size * WATERMARK_GAMMA)]

    def is_green(self, previous: int, token: int) -> bool:
        """Return True when ``token`` is on the watermark's green list after ``previous``."""
        return bool(np.isin(token, self._greenlist(previous)))
