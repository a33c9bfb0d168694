"""helpers.lessons.metrics and helpers.data."""

from __future__ import annotations

import pytest

from helpers import data
from helpers.data import data_path, load_prompts
from helpers.lessons.metrics import distinct_n, repeated_word_rate, words


def test_words_drop_punctuation_and_case():
    assert words("The cat, the DOG.") == ["the", "cat", "the", "dog"]


@pytest.mark.parametrize(
    ("texts", "n", "expected"),
    [
        (["a b c d"], 1, 1.0),
        (["a a a a"], 1, 0.25),
        (["a b a b"], 2, 2 / 3),
        (["a b", "a b"], 2, 0.5),
        ([""], 2, 0.0),
        (["one"], 2, 0.0),
    ],
)
def test_distinct_n(texts, n, expected):
    assert distinct_n(texts, n) == pytest.approx(expected)


def test_distinct_n_rejects_nonpositive_n():
    with pytest.raises(ValueError, match="positive"):
        distinct_n(["a"], 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("the cat and the dog", 0.2), ("a b c", 0.0), ("x x x x", 0.75), ("", 0.0)],
)
def test_repeated_word_rate(text, expected):
    assert repeated_word_rate(text) == pytest.approx(expected)


def test_prompts_skip_comments_and_blank_lines(tmp_path, monkeypatch):
    (tmp_path / "prompts.txt").write_text(
        "# a comment\n\nOnce upon a time,\n   \n  # an indented comment\n  The weather  \n",
        encoding="utf-8",
    )
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    assert load_prompts() == ["Once upon a time,", "The weather"]


def test_the_shipped_prompts_are_distinct():
    # run_batch keys a list of prompts by the prompt itself: a repeated line would be sent once.
    prompts = load_prompts()
    assert prompts, "data/prompts.txt has no prompts"
    assert len(set(prompts)) == len(prompts)


def test_missing_data_file_says_how_to_fix_it():
    with pytest.raises(FileNotFoundError, match="pip install -e"):
        data_path("no-such-file.csv")
