"""The stand-in's generator: sampling parameters have the effects they have on TGI."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.standin.textgen import TextGenerator, tokenize, uses_sampling, warp

PROMPT = "Once upon a time, in a land far away,"


@pytest.fixture(scope="module")
def gen() -> TextGenerator:
    return TextGenerator()


def distinct_ratio(texts: list[str]) -> float:
    words = [w for t in texts for w in tokenize(t)]
    return len(set(words)) / len(words)


def test_same_seed_same_text_other_seed_other_text(gen):
    params = {"do_sample": True, "seed": 7, "max_new_tokens": 25}
    first = gen.generate(PROMPT, params).text
    assert gen.generate(PROMPT, params).text == first
    assert gen.generate(PROMPT, {**params, "seed": 8}).text != first


def test_greedy_is_deterministic_and_reports_no_seed(gen):
    a = gen.generate(PROMPT, {"max_new_tokens": 20})
    b = gen.generate(PROMPT, {"max_new_tokens": 20})
    assert a.text == b.text
    assert a.seed is None


def test_no_parameters_object_means_sampling(gen):
    assert uses_sampling({}, parameters_given=False)
    assert not uses_sampling({}, parameters_given=True)
    assert uses_sampling({"temperature": 0.7}, parameters_given=True)
    assert uses_sampling({"top_k": 5}, parameters_given=True)
    assert gen.generate(PROMPT, None).seed is not None


def test_higher_temperature_raises_diversity(gen):
    def diversity(t: float) -> float:
        texts = [
            gen.generate(PROMPT, {"temperature": t, "seed": s, "max_new_tokens": 30}).text
            for s in range(12)
        ]
        return distinct_ratio(texts)

    low, high = diversity(0.2), diversity(1.8)
    assert high > low + 0.15


def test_top_k_one_equals_greedy(gen):
    greedy = gen.generate(PROMPT, {"max_new_tokens": 20}).text
    for seed in range(5):
        assert gen.generate(PROMPT, {"top_k": 1, "seed": seed, "max_new_tokens": 20}).text == greedy


def test_top_k_and_top_p_narrow_the_choice():
    logp = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    kept_k = np.isfinite(warp(logp, {"top_k": 2}, set()))
    assert kept_k.tolist() == [True, True, False, False]
    kept_p = np.isfinite(warp(logp, {"top_p": 0.7}, set()))
    assert kept_p.tolist() == [True, True, False, False]
    kept_p = np.isfinite(warp(logp, {"top_p": 0.4}, set()))
    assert kept_p.tolist() == [True, False, False, False]


def test_repetition_penalty_lowers_seen_tokens():
    logp = np.log(np.array([0.5, 0.5]))
    scores = warp(logp, {"repetition_penalty": 2.0}, {0})
    assert scores[0] < scores[1]


def test_max_new_tokens_caps_the_length(gen):
    result = gen.generate(PROMPT, {"max_new_tokens": 3})
    assert len(result.tokens) == 3
    assert result.finish_reason == "length"


def test_stop_sequence_ends_generation_and_is_kept(gen):
    result = gen.generate(
        PROMPT, {"stop": ["."], "max_new_tokens": 200, "do_sample": True, "seed": 1}
    )
    assert result.finish_reason == "stop_sequence"
    assert result.text.endswith(".")
    assert result.text.count(".") == 1


def test_end_of_text_is_a_special_token(gen):
    result = gen.generate("The market was busy and loud.", {"max_new_tokens": 200})
    assert result.finish_reason == "eos_token"
    assert result.tokens[-1].special
    assert result.tokens[-1].text == ""


def test_unknown_words_still_generate(gen):
    result = gen.generate("Zyxwv qwerty", {"max_new_tokens": 5})
    assert len(result.tokens) == 5


def test_token_texts_concatenate_to_the_text(gen):
    result = gen.generate(PROMPT, {"max_new_tokens": 15, "do_sample": True, "seed": 4})
    assert "".join(t.text for t in result.tokens) == result.text
    assert result.text.startswith(" ")


def test_min_new_tokens_holds_back_end_of_text(gen):
    assert (
        gen.generate("The market was busy and loud.", {"max_new_tokens": 200}).finish_reason
        == "eos_token"
    )
    held = gen.generate("The market was busy and loud.", {"max_new_tokens": 200}, min_new_tokens=8)
    assert len(held.tokens) >= 8
    assert not any(t.special for t in held.tokens[:8])
