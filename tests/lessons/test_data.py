"""helpers.data: finding data/ and reading the prompts."""

from __future__ import annotations

import pytest

from helpers import data
from helpers.data import data_path, load_prompts


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
