"""The stand-in's text: an n-gram model of ``data/standin_corpus.txt`` and TGI's sampling over it.

``CorpusModel``: the next word is what follows the sentence so far in the corpus; after a sentence,
its text's next one, another text's first (by the prompt's rare words) or, after a text's last,
sometimes end-of-text. ``TextGenerator``: TGI's logits pipeline (``utils/tokens.py`` @ ``db931fcf``)
and parameters; without ``max_new_tokens`` it stops at ``DEFAULT_MAX_NEW_TOKENS``."""

from __future__ import annotations

import json
import math
import re
import secrets
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from ..data import data_path

EOS, SOS = "<|endoftext|>", -1
DEFAULT_MAX_NEW_TOKENS = 40
WORD_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9]")
TERMINALS = frozenset(".!?")
MAX_MATCH = 6  # the longest sentence ending (in tokens) matched when the whole sentence is not
FOLLOW, EOS_SHARE = 0.85, 0.05  # after a sentence: its text goes on; after a text's last: it ends
OTHER = 1e-4  # the weight of a sentence that neither opens a text nor follows the previous one
STEP, RANKS = 0.5, 4  # nats lost per rank below the favourite, for at most RANKS ranks
OFFSET, FLOOR = -10.0, -30.0  # scores are negative like logits (repetition_penalty multiplies)
WORDS = json.loads(data_path("standin_words.json").read_text("utf-8"))  # also read by tasks.py
STOPWORDS = frozenset(WORDS["topic_stopwords"])  # words that say nothing about a topic
tokenize = WORD_RE.findall  # a text's words and punctuation marks, in order


def token_text(word: str) -> str:
    """Return a token's text as it is appended to the output (GPT-2 style leading space)."""
    return " " + word if word[:1].isalnum() else word


def load_corpus() -> list[str]:
    """Return the corpus' texts: blocks separated by blank lines, # comments dropped."""
    lines = data_path("standin_corpus.txt").read_text(encoding="utf-8").splitlines()
    blocks = "\n".join(ln for ln in lines if not ln.startswith("#")).split("\n\n")
    return [" ".join(b.split()) for b in blocks if b.strip()]


def stem(word: str) -> str:
    """Return a crude stem ("streaming", "streams" → "stream"), so a question meets the texts."""
    return re.sub(r"(?<=\w{3})(?:ing|ed|es|s)$", "", word.lower())


def focus_words(text: str) -> frozenset[str]:
    """Return the prompt's topic words: stems of its words of 3+ letters, common words left out."""
    words = (w for w in tokenize(text) if len(w) >= 3 and w.isalpha())
    return frozenset(stem(w) for w in words if w.lower() not in STOPWORDS)


class CorpusModel:
    """The corpus' sentences, indexed by what comes before each word."""

    def __init__(self, texts: Iterable[str]):
        self.vocab: dict[str, int] = {EOS: 0}
        self.sentences: list[tuple[int, ...]] = []
        self.text_of: list[int] = []
        self.openings: list[int] = []  # the first sentence of each text
        self.last: set[int] = set()  # the last sentence of each text
        self.text_words: list[set[str]] = []
        for number, text in enumerate(texts):
            self.openings.append(len(self.sentences))
            for sentence in re.findall(r"[^.!?]*[.!?]", text):
                ids = (self.vocab.setdefault(w, len(self.vocab)) for w in tokenize(sentence))
                self.sentences.append(tuple(ids))
                self.text_of.append(number)
            self.last.add(len(self.sentences) - 1)
            self.text_words.append({stem(w) for w in tokenize(text) if w.isalpha()})
        self.words = list(self.vocab)
        self.lower_ids = {w.lower(): i for w, i in reversed(self.vocab.items())}
        self.terminal_ids = {self.vocab[t] for t in TERMINALS if t in self.vocab}
        # next[context] = [(sentence, next id)]: contexts are a whole sentence so far (SOS first)
        # or its last 1..MAX_MATCH tokens; ends[ending] = the sentences that end so.
        self.next: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
        self.ends: dict[tuple, list[int]] = defaultdict(list)
        for s, ids in enumerate(self.sentences):
            seq = (SOS, *ids)
            for i in range(1, len(seq)):
                for start in {0, *range(max(1, i - MAX_MATCH), i)}:
                    self.next[seq[start:i]].append((s, seq[i]))
            for n in range(3, min(MAX_MATCH, len(ids)) + 1):
                self.ends[ids[-n:]].append(s)
        counts = Counter(w for words in self.text_words for w in words)
        self.idf = {w: math.log(len(self.text_words) / n) for w, n in counts.items()}
        # A prior changes only at a sentence's end: computed once per (sentence before, topic)
        # instead of once per token (it was most of a chat answer's CPU time).
        self._prior = lru_cache(maxsize=512)(self._prior)

    def ids_of(self, words: list[str]) -> list[int | None]:
        """Return the vocabulary id of each word (case-folded), or None when unknown."""
        return [self.vocab.get(w, self.lower_ids.get(w.lower())) for w in words]

    def _prior(self, previous: tuple, focus: frozenset[str]) -> tuple[tuple[float, ...], float]:
        """Return each sentence's chance to come after the sentence ``previous``, and the
        end-of-text token's: its text's next sentence, or another text's first by relevance.
        Cached: later calls with the same arguments get the same (immutable) tuple."""
        ends = (previous[-n:] for n in range(MAX_MATCH, 2, -1))
        done = next((self.ends[k] for k in ends if k in self.ends), [])
        follows = [s + 1 for s in done if s not in self.last]
        eos = EOS_SHARE * (len(done) - len(follows)) / len(done) if done else 0.0
        texts = [math.exp(min(sum(self.idf[w] for w in ws & focus), 14)) for ws in self.text_words]
        for s in done:
            texts[self.text_of[s]] = 0.0
        total = sum(texts[self.text_of[s]] for s in self.openings)
        rest = 1.0 - eos - FOLLOW * len(follows) / len(done) if done else 1.0
        prior = [OTHER] * len(self.sentences)
        for s in self.openings:
            prior[s] += rest * texts[self.text_of[s]] / total
        for s in follows:
            prior[s] += FOLLOW / len(done)
        return tuple(prior), eos

    def logits(self, context: list[int | None], focus: frozenset[str] = frozenset()) -> np.ndarray:
        """Return the scores of the next token after ``context`` in a text about ``focus``."""
        ends = [i for i, idx in enumerate(context) if idx in self.terminal_ids]
        current = tuple(context[ends[-1] + 1 :] if ends else context)
        start = ends[-2] + 1 if len(ends) > 1 else 0
        previous = tuple(context[start : ends[-1] + 1][-MAX_MATCH:]) if ends else ()
        prior, eos = self._prior(previous, focus)
        seq = (SOS, *current)
        keys = [seq, *(seq[-n:] for n in range(min(MAX_MATCH, len(current)), 0, -1))]
        found = next((self.next[k] for k in keys if None not in k and k in self.next), None)
        weights: dict[int, float] = defaultdict(float)
        if current and found:  # inside a sentence: what follows it, by each sentence's prior
            for s, idx in found:
                weights[idx] += prior[s]
        else:  # a new sentence: its text's next one or another text's first; or end-of-text
            for s, weight in enumerate(prior):
                if weight > OTHER:
                    weights[self.sentences[s][0]] += weight
            if eos:
                weights[0] = eos
        total = sum(weights.values())
        tie = f"{previous}\x1f{current}\x1f"  # ties broken by a fixed hash of (context, token)
        order = sorted(weights, key=lambda i: (-weights[i], zlib.crc32(f"{tie}{i}".encode())))
        scores = np.full(len(self.words), OFFSET + FLOOR)
        for rank, idx in enumerate(order):
            scores[idx] = OFFSET + math.log(weights[idx] / total) - STEP * min(rank, RANKS)
        return scores


@dataclass
class Token:
    """One token, as TGI reports it; ``top`` holds its best alternatives when asked for."""

    id: int
    text: str
    logprob: float
    special: bool = False
    top: list[Token] = field(default_factory=list)


@dataclass
class Continuation:
    """The result of one generation: the prompt's continuation and how it ended."""

    tokens: list[Token] = field(default_factory=list)
    finish_reason: str = "length"
    seed: int | None = None
    input_length: int = 0

    @property
    def text(self) -> str:
        """Return the generated text only (without the prompt)."""
        return "".join(t.text for t in self.tokens if not t.special)


def uses_sampling(params: dict[str, Any], parameters_given: bool) -> bool:
    """Return True when TGI samples: no ``parameters`` at all (``default_parameters()`` in
    ``router/src/lib.rs``), ``do_sample``, or a warper (temperature, top_k, top_p)."""
    warpers = params.get("temperature") not in (None, 1.0) or bool(params.get("top_k"))
    warpers = warpers or (params.get("top_p") or 1.0) < 1.0
    return not parameters_given or bool(params.get("do_sample")) or warpers


def log_softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - np.max(scores)
    with np.errstate(divide="ignore"):
        return shifted - np.log(np.sum(np.exp(shifted)))


def _keep(scores: np.ndarray, keep: np.ndarray) -> np.ndarray:
    cut = np.full(scores.size, -np.inf)
    cut[keep] = scores[keep]
    return cut


def penalize(scores: np.ndarray, params: dict[str, Any], history: list[int]) -> np.ndarray:
    """Apply the repetition penalty to the tokens in ``history`` and the frequency penalty (TGI
    subtracts count / length × penalty), in place."""
    penalty = params.get("repetition_penalty")
    if penalty and penalty != 1.0 and history:
        idx = np.unique(np.asarray(history, dtype=np.int64))
        s = scores[idx]
        scores[idx] = np.where(s < 0, s * penalty, s / penalty)
    if params.get("frequency_penalty") and history:
        counts = np.bincount(np.asarray(history, dtype=np.int64), minlength=scores.size)
        scores -= counts[: scores.size] / len(history) * params["frequency_penalty"]
    return scores


def apply_warpers(scores: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """Return scores after temperature, top-k (ties to lower ids) and top-p."""
    if params.get("temperature") and params["temperature"] != 1.0:
        scores = scores / max(params["temperature"], 1e-4)  # below 1e-4: greedy, not inf - inf
    if params.get("top_k") and params["top_k"] < scores.size:
        scores = _keep(scores, np.argsort(-scores, kind="stable")[: int(params["top_k"])])
    if (params.get("top_p") or 1.0) < 1.0:
        order = np.argsort(-scores, kind="stable")
        probs = np.exp(log_softmax(scores)[order])
        scores = _keep(scores, order[: int(np.searchsorted(np.cumsum(probs), params["top_p"])) + 1])
    return scores


class TextGenerator:
    """Generates text from the corpus model the way a TGI server would."""

    def __init__(self, model: CorpusModel | None = None):
        self.model = model or CorpusModel(load_corpus())

    def count_tokens(self, text: str) -> int:
        """Return the number of tokens the stand-in sees in ``text``."""
        return len(tokenize(text))

    def _token(self, i: int, logprobs: np.ndarray, top: list[Token] | None = None) -> Token:
        text = token_text(self.model.words[i]) if i else ""
        return Token(int(i), text, float(logprobs[i]), bool(i == 0), top or [])

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
        anywhere with ``stop_anywhere`` (vLLM); ``fresh`` starts a new sentence about the prompt."""
        given, params = params is not None, dict(params or {})
        words = tokenize(prompt)
        context = self.model.ids_of(words) + ([None, self.model.vocab["."]] if fresh else [])
        focus, sampling = focus_words(prompt), uses_sampling(params, given)
        seed = params.get("seed")
        seed = (secrets.randbits(63) if seed is None else int(seed)) if sampling else None
        rng = np.random.default_rng(seed or 0)
        history = [i for i in context if i is not None]
        stops = [s for s in params.get("stop") or [] if s]
        longest = max(map(len, stops), default=0)
        result, text = Continuation(seed=seed, input_length=len(words)), ""
        for _ in range(int(params.get("max_new_tokens") or DEFAULT_MAX_NEW_TOKENS)):
            scores = self.model.logits(context, focus)
            if len(result.tokens) < min_new_tokens:
                scores[0] = -np.inf
            scores = penalize(scores, params, history)
            logprobs = log_softmax(apply_warpers(scores, params))
            pick = rng.choice(logprobs.size, p=np.exp(logprobs)) if sampling else logprobs.argmax()
            best = np.argsort(-logprobs, kind="stable")[:top_n] if top_n else ()
            top = [self._token(i, logprobs) for i in best if logprobs[i] > -np.inf]
            token = self._token(int(pick), logprobs, top)
            result.tokens.append(token)
            context.append(token.id)
            history.append(token.id)
            text += "" if token.special else token.text  # result.text, built as it grows
            window = text[-len(token.text) - longest :]  # where a new stop string may be
            if token.special or any(
                s in window if stop_anywhere else text.endswith(s) for s in stops
            ):
                result.finish_reason = "eos_token" if token.special else "stop_sequence"
                return result
        return result

    def sentence(self, about: str, seed: int) -> str:
        """Return one whole corpus sentence about ``about``, the same for the same seed: the
        shortest of three drawn (the text of a structured value the conversation does not give)."""
        params = {"do_sample": True, "max_new_tokens": 80, "stop": [".", "!", "?"]}
        runs = [self.generate(about, {**params, "seed": seed + i}, fresh=True) for i in range(3)]
        return min((run.text.strip() for run in runs), key=lambda text: (len(text), text))
