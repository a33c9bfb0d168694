"""The stand-in's generator: sampling parameters have the effects they have on TGI."""

from __future__ import annotations

import re

import numpy as np
import pytest

from helpers.data import data_path
from helpers.standin.textgen import (
    TextGenerator,
    apply_warpers,
    load_corpus,
    penalize,
    tokenize,
    uses_sampling,
)

PROMPT = "Once upon a time, in a land far away,"


def warp(logp, params, history=()):
    """TGI's order: the repetition penalty, then the warpers."""
    return apply_warpers(penalize(logp.copy(), params, list(history)), params)


def words(text):
    return re.findall(r"[a-z0-9']+", text.lower())


def distinct_n(texts, n=2):
    """Unique n-grams / all n-grams over ``texts`` (1.0: nothing repeats)."""
    grams = [tuple(w[i : i + n]) for t in texts for w in [words(t)] for i in range(len(w) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def repeated_word_rate(text):
    """The share of words in ``text`` that already appeared earlier in it."""
    w = words(text)
    return sum(word in w[:i] for i, word in enumerate(w)) / len(w) if w else 0.0


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


def corpus_sentences() -> set[str]:
    sentences = set()
    for text in load_corpus():
        for sentence in re.findall(r"[^.!?]+[.!?]", text):
            sentences.add(" ".join(tokenize(sentence)))
    return sentences


def corpus_4grams() -> set[tuple[str, ...]]:
    grams = set()
    for text in load_corpus():
        words = tokenize(text)
        grams.update(tuple(words[i : i + 4]) for i in range(len(words) - 3))
    return grams


@pytest.mark.parametrize("temperature", [0.7, 1.0, 1.5])
def test_the_text_is_whole_corpus_sentences_not_word_salad(gen, temperature):
    """Catches word salad ("a key a south. bread the the tall"): up to temperature 1 every
    sentence the generator finishes is a corpus sentence (the one the prompt starts too); a
    higher temperature may join two sentences only where they share three tokens."""
    known, grams = corpus_sentences(), corpus_4grams()
    for seed in range(12):
        params = {"temperature": temperature, "seed": seed, "max_new_tokens": 60}
        text = PROMPT + gen.generate(PROMPT, params).text
        finished = re.findall(r"[^.!?]+[.!?]", text)
        assert len(finished) >= 2
        for sentence in finished:
            words = tokenize(sentence)
            if temperature <= 1.0:
                assert " ".join(words) in known, (seed, sentence)
            else:
                assert all(tuple(words[i : i + 4]) in grams for i in range(len(words) - 3))


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
    kept_k = np.isfinite(warp(logp, {"top_k": 2}))
    assert kept_k.tolist() == [True, True, False, False]
    kept_p = np.isfinite(warp(logp, {"top_p": 0.7}))
    assert kept_p.tolist() == [True, True, False, False]
    kept_p = np.isfinite(warp(logp, {"top_p": 0.4}))
    assert kept_p.tolist() == [True, False, False, False]


def test_repetition_penalty_lowers_seen_tokens():
    logp = np.log(np.array([0.5, 0.5]))
    scores = warp(logp, {"repetition_penalty": 2.0}, [0])
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


def ended(gen, seeds=range(30), **extra):
    """Return the sampled 300-token generations that ended on the end-of-text token."""
    results = []
    for seed in seeds:
        params = {"do_sample": True, "seed": seed, "max_new_tokens": 300, **extra}
        result = gen.generate("The market was busy and loud.", params)
        if result.finish_reason == "eos_token":
            results.append((seed, result))
    return results


@pytest.fixture(scope="module")
def endings(gen):
    """The generations of ``ended`` (30 of 300 tokens, 2 s), made once for the tests below."""
    return ended(gen)


def test_end_of_text_is_a_special_token(endings):
    # After a text's last sentence the model ends with EOS_SHARE (8 %), so some long runs end.
    assert endings
    for _, result in endings:
        assert result.tokens[-1].special
        assert result.tokens[-1].text == ""
        assert result.text.endswith(".")  # it ends after a whole sentence


def test_a_60_token_generation_usually_reaches_the_length(gen):
    """The done-when check: at least 9 of 12 seeded 60-token generations reach the length."""
    reached = [
        gen.generate(PROMPT, {"do_sample": True, "seed": seed, "max_new_tokens": 60}).finish_reason
        for seed in range(12)
    ].count("length")
    assert reached >= 9
    assert gen.generate(PROMPT, {"max_new_tokens": 60}).finish_reason == "length"  # greedy


def test_unknown_words_still_generate(gen):
    result = gen.generate("Zyxwv qwerty", {"max_new_tokens": 5})
    assert len(result.tokens) == 5


def test_token_texts_concatenate_to_the_text(gen):
    result = gen.generate(PROMPT, {"max_new_tokens": 15, "do_sample": True, "seed": 4})
    assert "".join(t.text for t in result.tokens) == result.text
    assert result.text.startswith(" ")


def test_min_new_tokens_holds_back_end_of_text(gen, endings):
    seed, first = endings[0]
    least = len(first.tokens) + 5
    params = {"do_sample": True, "seed": seed, "max_new_tokens": 300}
    held = gen.generate("The market was busy and loud.", params, min_new_tokens=least)
    assert len(held.tokens) >= least
    assert not any(t.special for t in held.tokens[:least])


# --- a real temperature (issue 12, done-when) -------------------------------------------------
SEEDS = range(8)


def classic_texts(api, auth, temperature: float) -> list[str]:
    """The done-when experiment, on the classic route, in process."""
    texts = []
    for seed in SEEDS:
        params = {
            "do_sample": True,
            "temperature": temperature,
            "seed": seed,
            "max_new_tokens": 20,
            "return_full_text": False,
        }
        body = {"inputs": PROMPT, "parameters": params}
        response = api.post("/models/gpt2", json=body, headers=auth)
        assert response.status_code == 200, response.text
        texts.append(response.json()[0]["generated_text"])
    return texts


def test_low_temperature_converges_and_high_temperature_spreads(api, auth):
    # Catches tied next-word probabilities: dividing equal scores by T keeps them equal, so
    # T=0.05 gave 8 different texts with the old trigram counts.
    assert len(set(classic_texts(api, auth, 0.05))) <= 2
    assert len(set(classic_texts(api, auth, 1.5))) >= 6


def test_distinct_2_rises_with_temperature(api, auth):
    figures = [distinct_n(classic_texts(api, auth, t), 2) for t in (0.2, 0.7, 1.0, 1.5)]
    assert figures == sorted(figures) and len(set(figures)) == 4, figures


def test_low_temperature_gives_the_greedy_text(gen):
    greedy = gen.generate(PROMPT, {"max_new_tokens": 20}).text
    cold = gen.generate(
        PROMPT, {"do_sample": True, "temperature": 0.05, "seed": 3, "max_new_tokens": 20}
    )
    assert cold.text == greedy


def test_logprobs_come_from_the_distribution_sampled(gen):
    # top_k=1 leaves one token: its probability after warping is 1, so logprob 0.
    kept = gen.generate(PROMPT, {"top_k": 1, "seed": 2, "max_new_tokens": 6})
    assert all(t.logprob == pytest.approx(0.0) for t in kept.tokens)
    # a low temperature sharpens the same first choice: its logprob rises towards 0
    cold = gen.generate(PROMPT, {"temperature": 0.3, "seed": 2, "max_new_tokens": 1})
    warm = gen.generate(PROMPT, {"max_new_tokens": 1})
    assert cold.tokens[0].id == warm.tokens[0].id
    assert cold.tokens[0].logprob > warm.tokens[0].logprob


def test_alternatives_are_the_best_tokens_of_that_distribution(gen):
    result = gen.generate(PROMPT, {"max_new_tokens": 4}, top_n=3)
    for token in result.tokens:
        assert len(token.top) == 3
        logprobs = [alt.logprob for alt in token.top]
        assert logprobs == sorted(logprobs, reverse=True)
        assert token.top[0].id == token.id  # greedy picks the best alternative
        assert token.top[0].logprob == pytest.approx(token.logprob)


def test_frequency_penalty_lowers_tokens_already_frequent():
    scores = np.zeros(3)
    penalize(scores, {"frequency_penalty": 1.0}, history=[1, 1, 2, 0])
    assert scores[1] < scores[2] < 0 and scores[0] == scores[2]


def test_frequency_penalty_lowers_a_word_the_prompt_repeats(gen):
    # TGI divides counts by the sequence length, so the effect is mild; it must still exist.
    def first(**extra) -> dict[int, float]:
        top = gen.generate(PROMPT, {"max_new_tokens": 1, **extra}, top_n=10).tokens[0].top
        return {alt.id: alt.logprob for alt in top}

    a = gen.model.vocab["a"]  # twice in PROMPT, and one of its continuations
    assert first(frequency_penalty=2.0)[a] < first()[a]


@pytest.mark.parametrize("temperature", [1e-4, 1e-30, 2.2e-311])
def test_a_vanishing_temperature_is_greedy_not_a_server_error(gen, temperature):
    prompt = "Once upon a time"
    greedy = gen.generate(prompt, {"max_new_tokens": 12, "do_sample": False})
    tiny = gen.generate(
        prompt, {"max_new_tokens": 12, "do_sample": True, "temperature": temperature, "seed": 3}
    )
    assert tiny.text == greedy.text


def test_classic_gpt2_generations_reach_60_tokens_on_the_route(api, auth):
    """The done-when check as a learner runs it: 12 seeded 60-token classic requests."""
    reached = 0
    for seed in range(12):
        params = {"do_sample": True, "seed": seed, "max_new_tokens": 60, "details": True}
        response = api.post(
            "/models/gpt2", json={"inputs": PROMPT, "parameters": params}, headers=auth
        )
        assert response.headers["x-stand-in"]
        details = response.json()[0]["details"]
        reached += details["finish_reason"] == "length" and details["generated_tokens"] == 60
    assert reached >= 9


def lesson_prompts() -> list[str]:
    lines = data_path("prompts.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")][:12]


def test_a_strong_repetition_penalty_repeats_fewer_words(gen):
    """Catches a penalty with no visible effect (it multiplies scores near 0 when they are
    log-probabilities; LOGIT_OFFSET makes them negative like a model's logits)."""

    def rate(penalty: float) -> float:
        texts = [
            gen.generate(
                p,
                {"repetition_penalty": penalty, "do_sample": True, "seed": 4, "max_new_tokens": 40},
            ).text
            for p in lesson_prompts()
        ]
        return sum(map(repeated_word_rate, texts)) / len(texts)

    assert rate(2.0) < rate(1.0) - 0.03


def test_top_k_and_top_p_narrow_the_first_tokens(gen):
    def first_tokens(**extra) -> int:
        params = {"do_sample": True, "max_new_tokens": 1, **extra}
        return len({gen.generate(PROMPT, {**params, "seed": s}).tokens[0].id for s in range(20)})

    free = first_tokens()
    assert free >= 5  # the corpus continues PROMPT in several ways
    assert first_tokens(top_k=3) <= 3 < free
    assert first_tokens(top_p=0.5) < free
