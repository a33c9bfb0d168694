"""The stand-in's language model: a variable-order n-gram model of ``data/standin_corpus.txt``.

Inside a sentence the next word is what follows the sentence so far in the corpus (or its longest
known ending); after a sentence, the first word of its text's next sentence, of another text
(texts sharing rare words with the prompt weigh more) or, after a text's last sentence, sometimes
the end-of-text token. Every rank below the first loses ``STEP`` nats, so greedy is unique.
"""

import json
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np

from ..data import data_path

EOS, SOS = "<|endoftext|>", -1
WORD_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9]")
TERMINALS = frozenset(".!?")
MAX_MATCH = 6  # the longest sentence ending (in tokens) matched when the whole sentence is not
FOLLOW, EOS_SHARE = 0.85, 0.05  # after a sentence: its text goes on; after a text's last: it ends
OTHER = 1e-4  # the weight of a sentence that neither opens a text nor follows the previous one
STEP, RANKS = 0.5, 4  # nats lost per rank below the favourite, for at most RANKS ranks
OFFSET, FLOOR = -10.0, -30.0  # scores are negative like logits (repetition_penalty multiplies)
STOPWORDS = frozenset(
    json.loads(data_path("standin_words.json").read_text("utf-8"))["topic_stopwords"]
)


def tokenize(text: str) -> list[str]:
    """Return the words and punctuation marks of ``text``, in order."""
    return WORD_RE.findall(text)


def token_text(word: str) -> str:
    """Return a token's text as it is appended to the output (GPT-2 style leading space)."""
    return " " + word if word[:1].isalnum() else word


def stable_hash(*parts: object) -> int:
    return zlib.crc32("\x1f".join(map(str, parts)).encode("utf-8"))


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

    def ids_of(self, words: list[str]) -> list[int | None]:
        """Return the vocabulary id of each word (case-folded), or None when unknown."""
        return [self.vocab.get(w, self.lower_ids.get(w.lower())) for w in words]

    def _prior(self, previous: tuple, focus: frozenset[str]) -> tuple[list[float], float]:
        """Return each sentence's chance to come after the sentence ``previous``, and the
        end-of-text token's: its text's next sentence, or another text's first by relevance."""
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
        return prior, eos

    def _weights(self, previous: tuple, current: tuple, focus: frozenset[str]) -> dict[int, float]:
        """Return the weight of each token that may follow ``current`` after ``previous``."""
        prior, eos = self._prior(previous, focus)
        weights: dict[int, float] = defaultdict(float)
        seq = (SOS, *current)
        keys = [seq, *(seq[-n:] for n in range(min(MAX_MATCH, len(current)), 0, -1))]
        found = next((self.next[k] for k in keys if None not in k and k in self.next), None)
        if current and found:
            for s, idx in found:
                weights[idx] += prior[s]
            return weights
        if eos:
            weights[0] = eos
        for s, weight in enumerate(prior):
            if weight > OTHER:  # a new sentence opens a text or goes on with its own
                weights[self.sentences[s][0]] += weight
        return weights

    def logits(self, context: list[int | None], focus: frozenset[str] = frozenset()) -> np.ndarray:
        """Return the scores of the next token after ``context`` in a text about ``focus``."""
        ends = [i for i, idx in enumerate(context) if idx in self.terminal_ids]
        current = tuple(context[ends[-1] + 1 :] if ends else context)
        start = ends[-2] + 1 if len(ends) > 1 else 0
        previous = tuple(context[start : ends[-1] + 1][-MAX_MATCH:]) if ends else ()
        weights = self._weights(previous, current, focus)
        total = sum(weights.values())
        order = sorted(weights, key=lambda i: (-weights[i], stable_hash(previous, current, i)))
        scores = np.full(len(self.words), OFFSET + FLOOR)
        for rank, idx in enumerate(order):
            scores[idx] = OFFSET + math.log(weights[idx] / total) - STEP * min(rank, RANKS)
        return scores
