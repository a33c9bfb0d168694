"""The models the stand-in knows: ``data/models_catalog.csv``, not code, decides what is served,
one row per (model, provider) with its source and date: the task (``conversational`` for chat),
the provider's model id, context length, prices and capabilities where HF's docs publish them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..contract import GPT2  # noqa: F401 (re-exported: helpers.standin.GPT2)
from ..data import data_path

CATALOG_FILE = "models_catalog.csv"
CHAT_TASK, HF_INFERENCE = "conversational", "hf-inference"
EMBEDDING_TAGS = ("feature-extraction", "sentence-similarity")
DEFAULT_EMBEDDING_DIM = 384  # the vector size of an embeddings model whose rows give none


class ProviderOffer(BaseModel):
    """One row: a provider serving a model (prices in USD per million tokens; None: not
    published) and the model's columns (``source_url``, ``valid_as_of``, ``notes`` ignored)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)
    model: str
    pipeline_tag: str
    task: str
    provider: str
    provider_model_id: str | None = None
    context_length: int | None = None
    input_price: float | None = Field(None, alias="input_usd_per_million_tokens")
    output_price: float | None = Field(None, alias="output_usd_per_million_tokens")
    supports_tools: bool | None = None
    supports_structured_output: bool | None = None
    aliases: str | None = None
    embedding_dim: int | None = None
    recommended: bool | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    def provider_id(self, model_id: str) -> str:
        """Return the id the provider knows the model by (the Hub id unless it differs)."""
        return self.provider_model_id or model_id


@dataclass(frozen=True)
class ModelInfo:
    """A model on the stand-in's Hub and the providers that serve it."""

    id: str
    pipeline_tag: str
    aliases: tuple[str, ...] = ()
    offers: tuple[ProviderOffer, ...] = ()
    dimension: int = DEFAULT_EMBEDDING_DIM  # the length of the vectors an embeddings model answers
    recommended_for: tuple[str, ...] = ()

    @property
    def chat_providers(self) -> tuple[ProviderOffer, ...]:
        """Return the offers served on the OpenAI-compatible chat route."""
        return tuple(o for o in self.offers if o.task == CHAT_TASK)

    @property
    def is_chat(self) -> bool:
        return bool(self.chat_providers)

    @property
    def tags(self) -> list[str]:
        """Return the Hub tags clients read (embeddings models carry both embedding tasks)."""
        embeddings = self.pipeline_tag in EMBEDDING_TAGS
        return ["sentence-transformers", *EMBEDDING_TAGS] if embeddings else [self.pipeline_tag]


class CatalogError(ValueError):
    """A row of the catalogue file is malformed."""


def build_models(rows: Iterable[dict[str, str]]) -> dict[str, ModelInfo]:
    """Return the models described by catalogue rows (one row per model and provider)."""
    grouped: dict[str, list[ProviderOffer]] = {}
    for line, row in enumerate(rows, start=2):
        try:
            offer = ProviderOffer.model_validate(row)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            where = f"{CATALOG_FILE} line {line}: {error['loc'][0]}={error['input']!r}"
            raise CatalogError(f"{where}: {error['msg']}") from None
        grouped.setdefault(offer.model, []).append(offer)
    return {
        model_id: ModelInfo(
            id=model_id,
            pipeline_tag=offers[0].pipeline_tag,
            aliases=tuple(dict.fromkeys(a for o in offers for a in (o.aliases or "").split())),
            offers=tuple(offers),
            dimension=max(o.embedding_dim or 0 for o in offers) or DEFAULT_EMBEDDING_DIM,
            recommended_for=tuple(dict.fromkeys(o.task for o in offers if o.recommended)),
        )
        for model_id, offers in grouped.items()
    }


MODELS = build_models(csv.DictReader(io.StringIO(data_path(CATALOG_FILE).read_text("utf-8"))))
ALIASES = {alias: info.id for info in MODELS.values() for alias in info.aliases}


def canonical_id(model_id: str) -> str | None:
    """Return the canonical id of ``model_id`` (``gpt2`` → ``openai-community/gpt2``), or None."""
    model_id = model_id.strip("/")
    return model_id if model_id in MODELS else ALIASES.get(model_id)


def hf_inference_model(model_id: str) -> ModelInfo | None:
    """Return the model if hf-inference serves it on the classic route (never a chat model)."""
    info = MODELS.get(canonical_id(model_id) or "")
    if info is None or info.is_chat or all(o.provider != HF_INFERENCE for o in info.offers):
        return None
    return info


def recommended_models() -> dict[str, str]:
    """Return the recommended model per task (one embeddings model serves both embedding tasks)."""
    chosen: dict[str, str] = {}
    for info in MODELS.values():
        for task in info.recommended_for:
            for each in EMBEDDING_TAGS if task in EMBEDDING_TAGS else (task,):
                chosen.setdefault(each, info.id)
    return chosen


def live_offers(info: ModelInfo, hf_inference_llms: bool = True) -> tuple[ProviderOffer, ...]:
    """Return the offers a profile serves (without ``hf_inference_llms``: no hf-inference chat)."""
    llm = (HF_INFERENCE, CHAT_TASK)
    return tuple(o for o in info.offers if hf_inference_llms or (o.provider, o.task) != llm)


def is_model_author(info: ModelInfo, offer: ProviderOffer) -> bool:
    """Return True when the provider published the model (its organisation is the provider)."""
    return info.id.split("/")[0].lower() == offer.provider.lower()


DOCUMENTED_PERFORMANCE: dict[tuple[str, str], tuple[float, float]] = {
    ("deepseek-ai/DeepSeek-V4-Pro", "novita"): (1490, 24.69124008437934),
    ("deepseek-ai/DeepSeek-V4-Pro", "together"): (611, 40.13113557470821),
    ("deepseek-ai/DeepSeek-V4-Pro", "fireworks-ai"): (588.4, 45.42948747753918),
    ("deepseek-ai/DeepSeek-V4-Pro", "deepinfra"): (525.8, 34.615908579189465),
}
"""``/v1/models``' ``first_token_latency_ms`` and ``throughput`` where published: hub-docs'
example answer (``docs/inference-providers/hub-api.md`` @ ``0968d835``); elsewhere left out."""
