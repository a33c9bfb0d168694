"""The models the stand-in knows: ``data/models_catalog.csv``, not code, decides what is served,
one row per (model, provider) with its source and date: the task (``conversational`` for chat),
the provider's model id, context length, prices and capabilities where HF's docs publish them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from ..contract import GPT2  # noqa: F401 (re-exported: helpers.standin.GPT2)
from ..data import data_path

CATALOG_FILE = "models_catalog.csv"
CHAT_TASK, HF_INFERENCE = "conversational", "hf-inference"
EMBEDDING_TAGS = ("feature-extraction", "sentence-similarity")
DEFAULT_EMBEDDING_DIM = 384  # the vector size of an embeddings model whose rows give none
COLUMNS = tuple(
    str.split(
        "model pipeline_tag task provider provider_model_id context_length "
        "input_usd_per_million_tokens output_usd_per_million_tokens supports_tools "
        "supports_structured_output aliases embedding_dim recommended source_url valid_as_of notes"
    )
)
KINDS = dict.fromkeys(("context_length", "embedding_dim"), int)
KINDS |= dict.fromkeys(("input_usd_per_million_tokens", "output_usd_per_million_tokens"), float)
KINDS |= dict.fromkeys(("supports_tools", "supports_structured_output", "recommended"), bool)


@dataclass(frozen=True)
class ProviderOffer:
    """One provider serving a model (prices in USD per million tokens; None: not published)."""

    provider: str
    task: str = CHAT_TASK
    provider_model_id: str | None = None
    context_length: int | None = None
    input_price: float | None = None
    output_price: float | None = None
    supports_tools: bool | None = None
    supports_structured_output: bool | None = None

    def provider_id(self, model_id: str) -> str:
        """Return the id the provider knows the model by (the Hub id unless it differs)."""
        return self.provider_model_id or model_id


OFFER_COLUMNS = ("provider", "task", *COLUMNS[4:10])  # a ProviderOffer's fields, in order


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


def _cell(row: dict[str, str], column: str, line: int) -> str | int | float | bool | None:
    """Return a cell's value as its column's kind (None when empty)."""
    text, kind = (row.get(column) or "").strip(), KINDS.get(column, str)
    if not text or kind is str:
        return text or None
    try:
        return {"true": True, "false": False}[text.lower()] if kind is bool else kind(text)
    except (KeyError, ValueError):
        what = {int: "an integer", float: "a number", bool: "true/false/empty"}[kind]
        raise CatalogError(f"{CATALOG_FILE} line {line}: {column}={text!r} is not {what}") from None


def build_models(rows: Iterable[dict[str, str]]) -> dict[str, ModelInfo]:
    """Return the models described by catalogue rows (one row per model and provider)."""
    grouped: dict[str, list[dict]] = {}
    for line, row in enumerate(rows, start=2):
        missing = [c for c in COLUMNS[:4] if not row.get(c)]
        if missing:
            raise CatalogError(f"{CATALOG_FILE} line {line}: empty {', '.join(missing)}")
        cells = {c: _cell(row, c, line) for c in COLUMNS}
        grouped.setdefault(row["model"], []).append(cells)
    return {
        model_id: ModelInfo(
            id=model_id,
            pipeline_tag=cells[0]["pipeline_tag"],
            aliases=tuple(dict.fromkeys(a for r in cells for a in (r["aliases"] or "").split())),
            offers=tuple(ProviderOffer(*(r[c] for c in OFFER_COLUMNS)) for r in cells),
            dimension=max(r["embedding_dim"] or 0 for r in cells) or DEFAULT_EMBEDDING_DIM,
            recommended_for=tuple(dict.fromkeys(r["task"] for r in cells if r["recommended"])),
        )
        for model_id, cells in grouped.items()
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
    """Return the offers a profile serves: without ``hf_inference_llms``, none of hf-inference's
    chat offers."""
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
