"""The catalogue (``data/models_catalog.csv``) decides what the stand-in serves."""

from __future__ import annotations

import csv
import re

import pytest

from helpers.data import data_path
from helpers.standin.catalog import (
    MODELS,
    CatalogError,
    ProviderOffer,
    build_models,
    canonical_id,
    hf_inference_model,
    recommended_models,
)
from helpers.standin.tasks import HANDLERS

ROWS = list(csv.DictReader(data_path("models_catalog.csv").open(encoding="utf-8", newline="")))
CHAT_MODELS = sorted(i.id for i in MODELS.values() if i.is_chat)
DOCS_EXAMPLES = [
    # hub-docs docs/inference-providers at 242f4a1e and docs/hub/models-inference.md
    "meta-llama/Llama-3.1-8B-Instruct",
    "openai/gpt-oss-120b",
    "openai/gpt-oss-20b",
    "deepseek-ai/DeepSeek-V3-0324",
    "deepseek-ai/DeepSeek-V4-Pro",
    "deepseek-ai/DeepSeek-R1",
    "deepseek-ai/DeepSeek-R1-0528",
    "Qwen/Qwen3-32B",
    "moonshotai/Kimi-K2-Instruct-0905",
    "google/gemma-3-27b-it",
]
TASK_EXAMPLES = {
    "facebook/bart-large-cnn": "summarization",
    "google-t5/t5-small": "translation",
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english": "text-classification",
    "facebook/bart-large-mnli": "zero-shot-classification",
    "sentence-transformers/all-MiniLM-L6-v2": "sentence-similarity",
    "openai-community/gpt2": "text-generation",
}


def test_every_row_has_the_columns_a_source_and_a_date():
    header = next(csv.reader(data_path("models_catalog.csv").open(encoding="utf-8")))
    fields = [f.alias or name for name, f in ProviderOffer.model_fields.items()]
    assert header == [*fields, "source_url", "valid_as_of", "notes"]
    for row in ROWS:
        assert row["source_url"].startswith("https://"), row["model"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["valid_as_of"]), row["model"]


def test_one_row_per_model_and_provider():
    pairs = [(r["model"], r["provider"]) for r in ROWS]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("model", DOCS_EXAMPLES)
def test_the_docs_chat_examples_are_served_on_the_router(api, auth, model):
    # An instructor who pastes an example from HF's docs gets an answer offline.
    body = {"model": model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}
    response = api.post("/v1/chat/completions", json=body, headers=auth)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("model", "task"), sorted(TASK_EXAMPLES.items()))
def test_the_docs_task_examples_are_hf_inference_models(model, task):
    info = hf_inference_model(model)
    assert info is not None and info.pipeline_tag == task


def test_every_hf_inference_task_has_an_answer():
    # Fails if a row adds a task the stand-in cannot answer (it would be a 500 otherwise).
    for info in MODELS.values():
        if hf_inference_model(info.id) and info.pipeline_tag != "text-generation":
            assert info.pipeline_tag in HANDLERS, info.id


def test_provider_ids_differ_only_where_the_docs_say_so():
    offer = {o.provider: o for o in MODELS["openai/gpt-oss-120b"].offers}
    assert offer["cerebras"].provider_id("openai/gpt-oss-120b") == "gpt-oss-120b"
    assert offer["groq"].provider_id("openai/gpt-oss-120b") == "openai/gpt-oss-120b"


def test_published_figures_are_read_and_unpublished_ones_stay_unknown():
    offers = {o.provider: o for o in MODELS["deepseek-ai/DeepSeek-V4-Pro"].chat_providers}
    novita = offers["novita"]
    assert (novita.input_price, novita.output_price, novita.context_length) == (1.69, 3.38, 1048576)
    assert novita.supports_tools is True and novita.supports_structured_output is False
    assert offers["featherless-ai"].supports_tools is None  # the docs do not say


def test_aliases_resolve_and_unknown_models_do_not():
    assert canonical_id("gpt2") == "openai-community/gpt2"
    assert canonical_id("/t5-small/") == "google-t5/t5-small"
    assert canonical_id("nobody/nothing") is None


def test_chat_models_are_not_on_the_classic_route():
    assert all(hf_inference_model(m) is None for m in CHAT_MODELS)


def test_each_recommended_model_serves_its_task():
    for task, model in recommended_models().items():
        offers = MODELS[model].offers
        assert task in MODELS[model].tags or task in {o.task for o in offers}, (task, model)


def test_a_row_is_enough_to_serve_a_model():
    rows = [
        {"model": "acme/tiny", "pipeline_tag": "text-generation", "task": "conversational"}
        | {"provider": "groq", "provider_model_id": "tiny", "supports_tools": "true"},
    ]
    info = build_models(rows)["acme/tiny"]
    assert info.is_chat and info.chat_providers[0].provider_id(info.id) == "tiny"
    assert info.chat_providers[0].supports_tools is True


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"model": "a/b", "pipeline_tag": "x", "task": "x", "provider": ""}, "provider=None"),
        (
            {"model": "a/b", "pipeline_tag": "x", "task": "x", "provider": "p"}
            | {"context_length": "big"},
            "context_length='big': Input should be a valid integer",
        ),
        (
            {"model": "a/b", "pipeline_tag": "x", "task": "x", "provider": "p"}
            | {"supports_tools": "maybe"},
            "supports_tools='maybe': Input should be a valid boolean",
        ),
    ],
)
def test_a_malformed_row_is_refused_with_its_line(row, message):
    with pytest.raises(CatalogError, match=f"line 2: {re.escape(message)}"):
        build_models([row])
