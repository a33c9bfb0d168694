"""The models the stand-in knows, read from ``data/models_catalog.csv``.

The catalogue, not code, decides what is served: one row per (model, provider), with the task
the provider serves it for (``conversational`` for chat), the provider's own model id where it
differs, and the context length, prices and capabilities where HF's docs publish them. Every
row names its source and date. The real catalogue changes daily; this one changes when the
CSV does.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..contract import GPT2  # noqa: F401 (re-exported: helpers.standin.GPT2)
from ..data import data_path

CATALOG_FILE = "models_catalog.csv"
CHAT_TASK = "conversational"
HF_INFERENCE = "hf-inference"
DEFAULT_EMBEDDING_DIM = 384
"""The vector size of an embeddings model whose row gives none."""
COLUMNS = (
    "model",
    "pipeline_tag",
    "task",
    "provider",
    "provider_model_id",
    "context_length",
    "input_usd_per_million_tokens",
    "output_usd_per_million_tokens",
    "supports_tools",
    "supports_structured_output",
    "aliases",
    "embedding_dim",
    "recommended",
    "source_url",
    "valid_as_of",
    "notes",
)
EMBEDDING_TAGS = ("feature-extraction", "sentence-similarity")


@dataclass(frozen=True)
class ProviderOffer:
    """One provider serving a model; prices in USD per million tokens when published.

    ``None`` means the source does not say (the router then omits the field).
    """

    provider: str
    input_price: float | None = None
    output_price: float | None = None
    context_length: int | None = None
    supports_tools: bool | None = None
    supports_structured_output: bool | None = None
    provider_model_id: str | None = None
    task: str = CHAT_TASK
    source_url: str = ""
    valid_as_of: str = ""

    def provider_id(self, model_id: str) -> str:
        """Return the id the provider knows the model by (the Hub id unless it differs)."""
        return self.provider_model_id or model_id


@dataclass(frozen=True)
class ModelInfo:
    """A model on the stand-in's Hub and the providers that serve it."""

    id: str
    pipeline_tag: str
    aliases: tuple[str, ...] = ()
    chat_providers: tuple[ProviderOffer, ...] = ()
    offers: tuple[ProviderOffer, ...] = ()
    embedding_dim: int | None = None
    recommended_for: tuple[str, ...] = field(default=())

    @property
    def is_chat(self) -> bool:
        """Return True for models served on the OpenAI-compatible chat route."""
        return bool(self.chat_providers)

    @property
    def task(self) -> str:
        """Return the task hf-inference serves it for (its pipeline tag when it has no offer)."""
        for offer in self.offers:
            if offer.provider == HF_INFERENCE:
                return offer.task
        return self.pipeline_tag

    @property
    def tags(self) -> list[str]:
        """Return the Hub tags clients read (embeddings models carry both embedding tasks)."""
        if self.pipeline_tag in EMBEDDING_TAGS:
            return ["sentence-transformers", *EMBEDDING_TAGS]
        return [self.pipeline_tag]

    @property
    def dimension(self) -> int:
        """Return the length of the vectors an embeddings model answers."""
        return self.embedding_dim or DEFAULT_EMBEDDING_DIM


class CatalogError(ValueError):
    """A row of the catalogue file is malformed."""


def _number(row: dict[str, str], column: str, kind: type, line: int) -> float | int | None:
    text = (row.get(column) or "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise CatalogError(
            f"{CATALOG_FILE} line {line}: {column}={text!r} is not "
            + ("an integer" if kind is int else "a number")
        ) from None


def _flag(row: dict[str, str], column: str, line: int) -> bool | None:
    text = (row.get(column) or "").strip().lower()
    if text in ("", "true", "false"):
        return None if not text else text == "true"
    raise CatalogError(f"{CATALOG_FILE} line {line}: {column}={text!r} is not true/false/empty")


def build_models(rows: Iterable[dict[str, str]]) -> dict[str, ModelInfo]:
    """Return the models described by catalogue rows (one row per model and provider)."""
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in enumerate(rows, start=2):
        missing = [c for c in ("model", "pipeline_tag", "task", "provider") if not row.get(c)]
        if missing:
            raise CatalogError(f"{CATALOG_FILE} line {line}: empty {', '.join(missing)}")
        grouped.setdefault(row["model"], []).append((line, row))
    models: dict[str, ModelInfo] = {}
    for model_id, model_rows in grouped.items():
        offers = []
        aliases: list[str] = []
        recommended: list[str] = []
        dims = set()
        for line, row in model_rows:
            offers.append(
                ProviderOffer(
                    provider=row["provider"],
                    input_price=_number(row, "input_usd_per_million_tokens", float, line),
                    output_price=_number(row, "output_usd_per_million_tokens", float, line),
                    context_length=_number(row, "context_length", int, line),
                    supports_tools=_flag(row, "supports_tools", line),
                    supports_structured_output=_flag(row, "supports_structured_output", line),
                    provider_model_id=(row.get("provider_model_id") or "").strip() or None,
                    task=row["task"],
                    source_url=row.get("source_url", ""),
                    valid_as_of=row.get("valid_as_of", ""),
                )
            )
            aliases += [a for a in (row.get("aliases") or "").split() if a not in aliases]
            if _flag(row, "recommended", line):
                recommended.append(row["task"])
            dim = _number(row, "embedding_dim", int, line)
            if dim is not None:
                dims.add(dim)
        models[model_id] = ModelInfo(
            id=model_id,
            pipeline_tag=model_rows[0][1]["pipeline_tag"],
            aliases=tuple(aliases),
            chat_providers=tuple(o for o in offers if o.task == CHAT_TASK),
            offers=tuple(offers),
            embedding_dim=max(dims) if dims else None,
            recommended_for=tuple(dict.fromkeys(recommended)),
        )
    return models


def load_catalog(name: str = CATALOG_FILE) -> dict[str, ModelInfo]:
    """Return the models of ``data/<name>``, keyed by their Hub id."""
    with data_path(name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise CatalogError(f"{name}: columns must be {', '.join(COLUMNS)}")
        return build_models(reader)


MODELS: dict[str, ModelInfo] = load_catalog()
ALIASES = {alias: info.id for info in MODELS.values() for alias in info.aliases}


def canonical_id(model_id: str) -> str | None:
    """Return the canonical id of ``model_id`` (``gpt2`` → ``openai-community/gpt2``), or None."""
    model_id = model_id.strip("/")
    if model_id in MODELS:
        return model_id
    return ALIASES.get(model_id)


def hf_inference_model(model_id: str) -> ModelInfo | None:
    """Return the model if hf-inference serves it with the classic contract, else None.

    Chat models are served on the OpenAI-compatible routes, never on the classic one.
    """
    canonical = canonical_id(model_id)
    if canonical is None:
        return None
    info = MODELS[canonical]
    if info.is_chat or not any(o.provider == HF_INFERENCE for o in info.offers):
        return None
    return info


def recommended_models() -> dict[str, str]:
    """Return the recommended model per task, as ``GET /api/tasks`` names it."""
    chosen: dict[str, str] = {}
    for info in MODELS.values():
        for task in info.recommended_for:
            chosen.setdefault(task, info.id)
            if task in EMBEDDING_TAGS:  # one embeddings model serves both tasks
                for other in EMBEDDING_TAGS:
                    chosen.setdefault(other, info.id)
    return chosen


def live_offers(info: ModelInfo, hf_inference_llms: bool = True) -> tuple[ProviderOffer, ...]:
    """Return the model's offers a profile serves: without ``hf_inference_llms`` (the today
    profile) hf-inference's LLM offers (``conversational``) are left out."""
    return tuple(
        o
        for o in info.offers
        if hf_inference_llms or not (o.provider == HF_INFERENCE and o.task == CHAT_TASK)
    )


def is_model_author(info: ModelInfo, offer: ProviderOffer) -> bool:
    """Return True when the provider published the model (its organisation is the provider)."""
    return info.id.split("/")[0].lower() == offer.provider.lower()


DOCUMENTED_PERFORMANCE: dict[tuple[str, str], tuple[float, float]] = {
    ("deepseek-ai/DeepSeek-V4-Pro", "novita"): (1490, 24.69124008437934),
    ("deepseek-ai/DeepSeek-V4-Pro", "together"): (611, 40.13113557470821),
    ("deepseek-ai/DeepSeek-V4-Pro", "fireworks-ai"): (588.4, 45.42948747753918),
    ("deepseek-ai/DeepSeek-V4-Pro", "deepinfra"): (525.8, 34.615908579189465),
}
"""``first_token_latency_ms`` and ``throughput`` (tokens/s) of ``/v1/models``, "from the latest
validation probe, when available": the figures of hub-docs' example answer
(``docs/inference-providers/hub-api.md``, fields added in ``83390574``, 2026-05-12; read at
``0968d835``). Other offers have no published probe, so the stand-in leaves the fields out, as
the router does when it has none."""
