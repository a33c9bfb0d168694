"""The stand-in's text generator: a variable-order n-gram model of its corpus that writes
whole sentences, with real sampling.

It is small and it is *not* a language model of any quality, and its text is never a real
model's. What it does for real is what the lessons need:

- **Whole sentences of the corpus** (``data/standin_corpus.txt``), never word salad: inside a
  sentence the next token is what follows the longest matching suffix of the sentence so far
  in the corpus; between sentences the text goes on with the next sentence of the same text or
  starts another text (preferring texts that share words with the prompt); after a text's
  last sentence it may end (the end-of-text token, ``EOS_SHARE``), so most generations reach
  ``max_new_tokens`` and a few end early, as a real model's do (``CorpusModel``).
- **Confident, untied preferences.** Each context ranks its candidates (by probability, ties
  broken by a fixed hash of context and token) and every rank below the first loses
  ``PREFERENCE_STEP`` nats (at most ``PREFERENCE_RANKS`` steps): the greedy path is unique, a
  low temperature converges to it and a high one spreads over the places where the corpus
  offers a choice (the start of a sentence, the words after a shared opening).
- **TGI's logits pipeline** (``server/text_generation_server/utils/tokens.py`` and
  ``logits_process.py`` @ ``db931fcf``): watermark, repetition penalty, frequency penalty, then
  the warpers temperature, top-k, top-p, typical-p; sampling is on when ``do_sample`` is true or
  any warper is set; a token's ``logprob`` (and its top alternatives) come from the log-softmax of
  the warped scores, the distribution actually sampled.
- ``seed``, ``stop``, ``max_new_tokens``, ``truncate``, ``top_n_tokens``, prefill log-probs for
  ``decoder_input_details``, ``best_of`` and ``grammar`` (``grammar.py``).

Deviation: with no ``max_new_tokens``, TGI generates up to ``max_total_tokens - input_length``;
the stand-in stops at ``DEFAULT_MAX_NEW_TOKENS`` (or at its end-of-text token before that).
"""

from __future__ import annotations

import math
import re
import secrets
import zlib
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

LAMBDAS = (0.45, 0.30, 0.20, 0.05)
"""Interpolation weights of the 4-gram, trigram, bigram and unigram estimates."""
PREFERENCE_STEP = 0.5
"""Nats lost per rank below a context's favourite continuation."""
PREFERENCE_RANKS = 4
"""Ranks beyond this one all lose ``PREFERENCE_RANKS * PREFERENCE_STEP``."""
WATERMARK_GAMMA = 0.5
WATERMARK_DELTA = 2.0
"""TGI's watermark defaults (``utils/watermark.py`` @ ``db931fcf``: WATERMARK_GAMMA/DELTA)."""
WATERMARK_HASH_KEY = 15485863
UNKNOWN_ID_BASE = 50_000
LOGITS_CACHE_SIZE = 4_096
MIN_TEMPERATURE = 1e-4
"""Contexts whose scores are kept (7 KB each): at most ~30 MB, so a room's stand-in stays small."""
"""Prompt words outside the corpus get stable ids from here up (a hash of the word)."""


def tokenize(text: str) -> list[str]:
    """Return the words and punctuation marks of ``text``, in order."""
    return WORD_RE.findall(text)


def token_text(word: str) -> str:
    """Return a token's text as it is appended to the output (GPT-2 style leading space)."""
    return word if not word[:1].isalnum() else " " + word


def _stable_hash(*parts: object) -> int:
    return zlib.crc32("\x1f".join(map(str, parts)).encode("utf-8"))


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


def load_corpus(path: Path | None = None) -> list[str]:
    """Return the corpus' texts: blocks separated by blank lines, # comments dropped."""
    path = path or data_path("standin_corpus.txt")
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    blocks = "\n".join(lines).split("\n\n")
    return [" ".join(b.split()) for b in blocks if b.strip()]


TERMINALS = frozenset({".", "!", "?"})
"""Tokens that end a sentence."""
SOS = -1
"""A virtual start-of-sentence marker: index keys starting with it match only at a sentence's start."""
MAX_MATCH = 6
"""The longest context suffix (in tokens, the start marker included) the model matches."""
BACKOFF = 1e-3
"""Weight of each shorter suffix's continuations relative to the next longer one."""
FOLLOW_SHARE = 0.85
"""After a sentence, the share of the sentence that follows it in its text (the rest: a new text)."""
OTHER_SHARE = 0.02
"""The share of the sentences that neither follow nor open a text: inside a sentence only, so
that a prompt ending inside a later sentence of a text is still continued."""
EOS_KEY = -2
EOS_SHARE = 0.05
"""After a text's last sentence, the chance of the end-of-text token (the rest: a new text)."""
MIN_SENTENCE_MATCH = 3
"""A finished sentence is recognised as a corpus sentence when its last 3 tokens match one."""
MAX_RELEVANCE = 1e6
"""A text that shares words with the prompt weighs more: for each shared word (compared by
``stem``), the number of texts divided by the number that use the word, at most
``MAX_RELEVANCE`` times in all. A word every text uses changes nothing; a rare one a lot."""
LOGIT_OFFSET = -10.0
"""Scores are log-probabilities shifted by this, so that they are negative as a model's logits
are: softmax, temperature, top-k/top-p and the log-probs reported ignore the shift, but TGI's
repetition penalty multiplies negative logits (``RepetitionPenaltyLogitsProcessor``), and on
scores near 0 it would do nothing. With the shift, 1.3 changes little and 2.0 visibly steers
away from words already used."""
FLOOR = -30.0
"""The score of a token the corpus never shows in this context (finite, so prefill has one)."""
_STOPWORDS = (
    "about after again also been before being could does from have here into just like "
    "make more most much only over please same should some such tell than that their them "
    "then there these they this very what when where which while whom with would write "
    "your give show explain answer question the and for you are was how why who can its has "
    "had did not but all any one two get say use see may our out new now way too yes"
)
STOPWORDS = frozenset(_STOPWORDS.split())
"""Words that say nothing about a topic (left out of the prompt's focus)."""


@dataclass(frozen=True)
class Sentence:
    """One corpus sentence: its tokens' ids, its text and its place in that text."""

    ids: tuple[int, ...]
    text: int
    first: bool
    last: bool


def stem(word: str) -> str:
    """Return a crude stem: lower case, without a plural or -ing/-ed ending ("streaming",
    "streamed", "streams" → "stream"), so that a question meets the texts' word forms."""
    word = word.lower()
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def focus_words(text: str) -> frozenset[str]:
    """Return the prompt's topic words (stems of words of 3+ letters, common words left out)."""
    words = [w for w in tokenize(text) if len(w) >= 3 and w.isalpha()]
    return frozenset(stem(w) for w in words if w.lower() not in STOPWORDS)


class CorpusModel:
    """A variable-order model of the corpus that writes whole corpus sentences.

    Inside a sentence the next token is what follows the longest suffix of the sentence so far
    (up to ``MAX_MATCH`` tokens, anchored at the sentence's start when it can be) somewhere in
    the corpus; shorter suffixes add their continuations at ``BACKOFF`` weight each, every other
    token gets ``FLOOR``. So the text follows corpus sentences word by word, and only a high
    temperature makes it jump between them where two sentences share words.
    Between sentences it continues the text it is in (``FOLLOW_SHARE``) or starts a text,
    preferring texts that share words with the prompt; after a text's last sentence it ends
    (the end-of-text token) with probability ``EOS_SHARE``, else starts another text. So a
    generation usually reaches ``max_new_tokens`` and reads as whole sentences.
    Each context's candidates are then ranked and every rank below the first loses
    ``PREFERENCE_STEP`` nats (at most ``PREFERENCE_RANKS`` steps, ties broken by a fixed hash):
    the greedy path is unique, a low temperature converges to it and a high one spreads.
    """

    def __init__(self, texts: Iterable[str]):
        vocab: dict[str, int] = {EOS: 0}
        sentences: list[Sentence] = []
        text_words: list[frozenset[str]] = []
        for number, text in enumerate(texts):
            words = tokenize(text)
            ids = [vocab.setdefault(w, len(vocab)) for w in words]
            text_words.append(frozenset(stem(w) for w in words if w.isalpha()))
            pieces: list[list[int]] = [[]]
            for idx, word in zip(ids, words, strict=True):
                pieces[-1].append(idx)
                if word in TERMINALS:
                    pieces.append([])
            pieces = [piece for piece in pieces if piece]
            for i, piece in enumerate(pieces):
                sentences.append(Sentence(tuple(piece), number, i == 0, i == len(pieces) - 1))
        self.vocab = vocab
        self.words = [""] * len(vocab)
        for word, idx in vocab.items():
            self.words[idx] = word
        self.lower_ids = {w.lower(): i for w, i in reversed(vocab.items())}
        self.sentences = sentences
        self.text_words = text_words
        self.terminal_ids = frozenset(vocab[t] for t in TERMINALS if t in vocab)
        # next[key] = [(sentence, next id)] for every place ``key`` occurs inside a sentence;
        # ends[key] = [sentence] for every sentence ending with ``key``.
        self.next: dict[tuple[int, ...], list[tuple[int, int]]] = defaultdict(list)
        self.ends: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for number, sentence in enumerate(sentences):
            seq = (SOS, *sentence.ids)
            for i in range(len(seq) - 1):
                for n in range(1, min(MAX_MATCH, i + 1) + 1):
                    self.next[seq[i - n + 1 : i + 1]].append((number, seq[i + 1]))
            for n in range(1, min(MAX_MATCH, len(seq)) + 1):
                self.ends[seq[-n:]].append(number)
        self.openings = [i for i, sentence in enumerate(sentences) if sentence.first]
        counts = Counter(w for words in text_words for w in words)
        self.idf = {w: math.log(len(text_words) / n) for w, n in counts.items()}
        self._cache: dict[tuple, np.ndarray] = {}
        self._relevance: dict[frozenset[str], list[float]] = {}

    @property
    def size(self) -> int:
        """Number of tokens in the vocabulary (the end-of-text token included)."""
        return len(self.words)

    def ids_of(self, words: list[str]) -> list[int | None]:
        """Return the vocabulary id of each word (case-folded), or None when unknown."""
        return [self.vocab.get(w, self.lower_ids.get(w.lower())) for w in words]

    def _text_weights(self, focus: frozenset[str]) -> list[float]:
        """Return how much more each text weighs for a prompt about ``focus`` (1: unrelated)."""
        weights = self._relevance.get(focus)
        if weights is None:
            weights = [
                min(math.exp(sum(self.idf[w] for w in words & focus)), MAX_RELEVANCE)
                for words in self.text_words
            ]
            if len(self._relevance) >= LOGITS_CACHE_SIZE:
                self._relevance.clear()
            self._relevance[focus] = weights
        return weights

    def _split(self, context: list[int | None]) -> tuple[list[int | None], list[int | None]]:
        """Return (the last finished sentence, the sentence so far) of ``context``."""
        ends = [i for i, idx in enumerate(context) if idx in self.terminal_ids]
        current = context[ends[-1] + 1 :] if ends else list(context)
        previous = context[(ends[-2] + 1 if len(ends) > 1 else 0) : ends[-1] + 1] if ends else []
        return previous, current

    def _finished(self, sentence: list[int | None]) -> list[int]:
        """Return the corpus sentences ``sentence`` ends like (its longest matching ending)."""
        seq = [SOS, *sentence]
        for n in range(min(MAX_MATCH, len(seq)), MIN_SENTENCE_MATCH - 1, -1):
            key = tuple(seq[-n:])
            if None not in key and key in self.ends:
                return self.ends[key]
        return []

    def _prior(self, previous: list[int | None], focus: frozenset[str]) -> dict[int, float]:
        """Return how likely each sentence is to come next, and the end-of-text token's share.

        After a recognised sentence: the one that follows it in its text (``FOLLOW_SHARE``), or
        after a text's last sentence the end-of-text token (``EOS_SHARE``); the rest goes to the
        first sentences of the other texts, by relevance to the prompt, and ``OTHER_SHARE`` to
        any sentence (used inside a sentence only, see ``_between``).
        The key ``EOS_KEY`` holds the end-of-text token's share.
        """
        finished = self._finished(previous) if previous else []
        ended = [s for s in finished if self.sentences[s].last]
        follows = [s + 1 for s in finished if not self.sentences[s].last]
        done = {self.sentences[s].text for s in finished}
        eos = EOS_SHARE * len(ended) / len(finished) if finished else 0.0
        follow = FOLLOW_SHARE * len(follows) / len(finished) if finished else 0.0
        prior: dict[int, float] = defaultdict(float)
        for s in follows:
            prior[s] += follow / len(follows)
        openings = [s for s in self.openings if self.sentences[s].text not in done]
        relevance = self._text_weights(focus)
        weights = [relevance[self.sentences[s].text] for s in openings]
        share = (1.0 - eos - follow) * (1.0 - OTHER_SHARE)
        for s, weight in zip(openings, weights, strict=True):
            prior[s] += share * weight / sum(weights)
        rest = (1.0 - eos - follow) * OTHER_SHARE / len(self.sentences)
        for s in range(len(self.sentences)):
            prior[s] += rest
        prior[EOS_KEY] = eos
        return prior

    def _between(self, previous: list[int | None], focus: frozenset[str]) -> dict[int, float]:
        """Return P(first token) after a finished sentence (or at the very start)."""
        prior = self._prior(previous, focus)
        probs: dict[int, float] = defaultdict(float)
        eos = prior.pop(EOS_KEY)
        if eos:
            probs[0] = eos
        starts = set(self.openings) | self._follows(previous)
        for s, weight in prior.items():
            if s in starts:  # a new sentence continues the text or opens one, never mid-text
                probs[self.sentences[s].ids[0]] += weight
        return probs

    def _follows(self, previous: list[int | None]) -> set[int]:
        return {s + 1 for s in self._finished(previous) if not self.sentences[s].last}

    def _inside(
        self, previous: list[int | None], current: list[int | None], focus: frozenset[str]
    ) -> dict[int, float] | None:
        """Return P(next token) inside a sentence, or None when no suffix of it is known."""
        seq = [SOS, *current]
        levels = []
        for n in range(min(MAX_MATCH, len(seq)), 0, -1):
            key = tuple(seq[-n:])
            if None in key or key not in self.next:
                continue
            levels.append(self.next[key])
        if not levels:
            return None
        weights = self._prior(previous, focus)
        probs: dict[int, float] = defaultdict(float)
        scale = 1.0
        for occurrences in levels:
            total = sum(weights[s] for s, _ in occurrences)
            for s, idx in occurrences:
                probs[idx] += scale * weights[s] / total
            scale *= BACKOFF
        return probs

    def logits(self, context: list[int | None], focus: frozenset[str] = frozenset()) -> np.ndarray:
        """Return the model's scores after ``context``: log-probabilities plus preferences.

        ``focus``: the prompt's topic words (``focus_words``). The returned array is shared
        (cached); copy it before changing it.
        """
        previous, current = self._split(context)
        key = (tuple(previous[-MAX_MATCH:]), tuple(current[-MAX_MATCH:]), focus)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        probs = self._inside(previous, current, focus) if current else None
        if probs is None:
            probs = self._between(previous if not current else [], focus)
        scores = np.full(self.size, LOGIT_OFFSET + FLOOR)
        total = sum(probs.values())
        # Rank: most probable first; ties broken by a fixed hash of (context, token).
        order = sorted(probs, key=lambda i: (-probs[i], _stable_hash(*key[:2], i)))
        for rank, idx in enumerate(order):
            scores[idx] = (
                LOGIT_OFFSET
                + math.log(probs[idx] / total)
                - PREFERENCE_STEP * min(rank, PREFERENCE_RANKS)
            )
        if len(self._cache) >= LOGITS_CACHE_SIZE:
            self._cache.clear()
        scores.setflags(write=False)
        self._cache[key] = scores
        return scores


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
        """Return a Continuation for ``prompt`` with TGI-style ``params`` (already validated).

        ``params=None`` means no ``parameters`` object was sent (TGI then samples).
        ``min_new_tokens`` forbids the end-of-text token until that many tokens exist (the chat
        route uses it so that a question ending in "?" does not get an empty answer).
        ``top_n`` (or ``params["top_n_tokens"]``) fills each token's ``top`` alternatives, from
        the distribution the token was drawn from (``top_logprobs`` of the OpenAI routes).

        Stop sequences: by default generation stops when the text *ends* with one, as TGI's
        ``StopSequenceCriteria`` does (``server/text_generation_server/utils/tokens.py``:
        ``re.compile(f"{stop_sequence}$")`` on the decoded output), so " land" does not stop on
        "an". ``stop_anywhere=True`` stops at any occurrence inside the new text, as OpenAI and
        vLLM do (``check_stop_strings`` in vLLM's ``vllm/v1/engine/detokenizer.py`` finds it in the newly
        decoded characters, then truncates the text where it starts); the OpenAI routes
        then cut the text at the occurrence (``openai_compat.visible_pieces``).

        ``fresh=True`` answers the prompt rather than continuing it: the text starts a new
        sentence (the chat route's answer to a message), about the prompt's words.
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
        sampling = uses_sampling(params, given)
        seed = params.get("seed")
        if sampling and seed is None:
            seed = secrets.randbits(63)
        rng = np.random.default_rng(seed if sampling else 0)
        max_new = int(params.get("max_new_tokens") or DEFAULT_MAX_NEW_TOKENS)
        stops = [s for s in params.get("stop") or [] if s]
        history = [i for i in context if i is not None]
        seen = set(history)
        top_n = max(top_n, int(params.get("top_n_tokens") or 0))
        result = Continuation(
            prompt=prompt, seed=int(seed) if sampling else None, input_length=len(words)
        )
        if params.get("decoder_input_details"):
            result.prefill = self.prefill(prompt, truncate)
        warped = has_warpers(params)
        text = ""
        for _ in range(max_new):
            scores = self.model.logits(context, focus).copy()
            if len(result.tokens) < min_new_tokens:
                scores[0] = -np.inf
            if params.get("watermark") and context and context[-1] is not None:
                scores[self._greenlist(context[-1])] += WATERMARK_DELTA
            scores = penalize(scores, params, history, seen)
            if warped:
                scores = apply_warpers(scores, params)
            logprobs = _log_softmax(scores)
            if sampling:
                choice = int(rng.choice(logprobs.size, p=np.exp(logprobs)))
            else:
                choice = int(np.argmax(logprobs))
            top = self.alternatives(logprobs, top_n)
            logprob = float(logprobs[choice])
            if choice == 0:
                result.tokens.append(Token(0, "", logprob, special=True, top=top))
                result.finish_reason = "eos_token"
                return result
            word = self.model.words[choice]
            tok = Token(choice, token_text(word), logprob, top=top)
            result.tokens.append(tok)
            text += tok.text
            context.append(choice)
            history.append(choice)
            seen.add(choice)
            if stop_anywhere:
                hit = any(
                    s in text[max(0, len(text) - len(tok.text) - len(s) + 1) :] for s in stops
                )
            else:
                hit = any(text.endswith(s) for s in stops)
            if hit:
                result.finish_reason = "stop_sequence"
                return result
        result.finish_reason = "length"
        return result

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
