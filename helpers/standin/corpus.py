"""The stand-in's corpus model: a variable-order n-gram model of ``data/standin_corpus.txt``
that writes whole sentences (``CorpusModel.logits``); ``textgen`` samples from it the TGI way.

Inside a sentence the next token is what follows the longest matching suffix of the sentence so
far in the corpus; between sentences the text goes on with the next sentence of the same text
or starts another (preferring texts that share words with the prompt); after a text's last
sentence it may end (``EOS_SHARE``). Each context ranks its candidates and every rank below the
first loses ``PREFERENCE_STEP`` nats, so the greedy path is unique and temperature matters.
"""

import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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
