"""The other hf-inference tasks on the stand-in: shapes read by huggingface_hub.InferenceClient
(over a socket), rules and refusals in process."""

from __future__ import annotations

import pytest
from huggingface_hub import InferenceClient

SENTIMENT = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"


def client(stand_in, token, model):
    return InferenceClient(model=f"{stand_in.url}/hf-inference/models/{model}", token=token)


def test_summarization_keeps_the_leading_sentences(stand_in, token):
    text = "First sentence here. Second one follows. Third is dropped. Fourth too."
    out = client(stand_in, token, "facebook/bart-large-cnn").summarization(text)
    assert out.summary_text == "First sentence here. Second one follows."


def test_translation_uses_the_glossary(stand_in, token):
    out = client(stand_in, token, "google-t5/t5-small").translation("Hello world")
    assert out.translation_text == "Bonjour monde"


@pytest.mark.parametrize(
    ("text", "label"),
    [("I love this wonderful library", "POSITIVE"), ("What a terrible, boring day", "NEGATIVE")],
)
def test_sentiment(stand_in, token, text, label):
    out = client(stand_in, token, SENTIMENT).text_classification(text)
    assert out[0].label == label
    assert out[0].score > 0.5
    assert sum(o.score for o in out) == pytest.approx(1.0, abs=1e-3)


def test_zero_shot_ranks_the_label_the_text_talks_about(stand_in, token):
    out = client(stand_in, token, "facebook/bart-large-mnli").zero_shot_classification(
        "The weather today is mild and bright", candidate_labels=["sports", "weather", "politics"]
    )
    assert out[0].label == "weather"
    assert sum(o.score for o in out) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize(
    ("model", "parameters"),
    [
        ("facebook/bart-large-mnli", {}),
        ("facebook/bart-large-mnli", {"candidate_labels": []}),
        ("facebook/bart-large-mnli", {"candidate_labels": "weather"}),
        ("facebook/bart-large-cnn", {"max_length": 0}),
    ],
)
def test_bad_task_parameters_are_422(api, auth, model, parameters):
    body = {"inputs": "Some text", "parameters": parameters}
    response = api.post(f"/hf-inference/models/{model}", json=body, headers=auth)
    assert response.status_code == 422


@pytest.mark.parametrize("inputs", ["", 5, None, ["a"]])
def test_task_inputs_must_be_text(api, auth, inputs):
    response = api.post(f"/hf-inference/models/{SENTIMENT}", json={"inputs": inputs}, headers=auth)
    assert response.status_code == 422


def test_task_models_are_mapped_to_hf_inference(api):
    info = api.get(
        "/api/models/facebook/bart-large-cnn", params={"expand[]": "inferenceProviderMapping"}
    ).json()
    assert info["inferenceProviderMapping"]["hf-inference"]["task"] == "summarization"


def test_chat_models_are_not_served_on_the_classic_route(api, auth):
    response = api.post(
        "/hf-inference/models/openai/gpt-oss-120b", json={"inputs": "x"}, headers=auth
    )
    assert response.status_code == 404


def test_zero_shot_knows_a_few_related_words(stand_in, token):
    out = client(stand_in, token, "facebook/bart-large-mnli").zero_shot_classification(
        "The train left the station at noon", candidate_labels=["cooking", "travel", "sports"]
    )
    assert out[0].label == "travel"
