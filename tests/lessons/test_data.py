"""helpers.data: finding data/."""

from __future__ import annotations

import pytest

from helpers.data import data_path


def test_the_shipped_prompts_are_distinct():
    # the bench keys its prompts by text: a repeated line would be sent once.
    lines = data_path("prompts.txt").read_text(encoding="utf-8").splitlines()
    prompts = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    assert prompts, "data/prompts.txt has no prompts"
    assert len(set(prompts)) == len(prompts)


def test_missing_data_file_says_how_to_fix_it():
    with pytest.raises(FileNotFoundError, match="pip install -e"):
        data_path("no-such-file.csv")
