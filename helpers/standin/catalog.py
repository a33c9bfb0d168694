"""The models the stand-in knows: which exist on its pretend Hub, and what it serves.

The real catalogue changes daily (hf-api-facts.md §1); this one is fixed on purpose. The
hf-inference models are examples the provider page listed on 2026-08-21; the chat models and
their providers are the examples of the docs (prices only where the docs show them).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import CHAT_MODEL, GPT2

__all__ = ["CHAT_MODEL", "GPT2", "MODELS", "ModelInfo", "ProviderOffer", "canonical_id"]


@dataclass(frozen=True)
class ProviderOffer:
    """One provider serving a chat model; prices in USD per million tokens when published."""

    provider: str
    input_price: float | None = None
    output_price: float | None = None
    context_length: int = 131_072


@dataclass(frozen=True)
class ModelInfo:
    """A model on the stand-in's Hub."""

    id: str
    pipeline_tag: str
    aliases: tuple[str, ...] = ()
    chat_providers: tuple[ProviderOffer, ...] = ()

    @property
    def is_chat(self) -> bool:
        """Return True for models served on the OpenAI-compatible chat route."""
        return bool(self.chat_providers)


MODELS: dict[str, ModelInfo] = {
    info.id: info
    for info in (
        ModelInfo(GPT2, "text-generation", aliases=("gpt2",)),
        ModelInfo("facebook/bart-large-cnn", "summarization"),
        ModelInfo("google-t5/t5-small", "translation", aliases=("t5-small",)),
        ModelInfo(
            "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
            "text-classification",
            aliases=("distilbert-base-uncased-finetuned-sst-2-english",),
        ),
        ModelInfo("facebook/bart-large-mnli", "zero-shot-classification"),
        ModelInfo(CHAT_MODEL, "text-generation", chat_providers=(ProviderOffer("groq"),)),
        ModelInfo(
            "deepseek-ai/DeepSeek-V4-Pro",
            "text-generation",
            chat_providers=(
                ProviderOffer("novita", 1.69, 3.38),
                ProviderOffer("together", 2.1, 4.4),
                ProviderOffer("deepinfra", 1.74, 3.48),
                ProviderOffer("fireworks-ai"),
            ),
        ),
    )
}
"""Chat prices: the docs' example output of GET /v1/models (hub-api.md, 2026-05-12)."""

ALIASES = {alias: info.id for info in MODELS.values() for alias in info.aliases}
HF_INFERENCE_TASKS = {
    "text-generation",
    "summarization",
    "translation",
    "text-classification",
    "zero-shot-classification",
}


def canonical_id(model_id: str) -> str | None:
    """Return the canonical id of ``model_id`` (``gpt2`` → ``openai-community/gpt2``), or None."""
    model_id = model_id.strip("/")
    if model_id in MODELS:
        return model_id
    return ALIASES.get(model_id)


def hf_inference_model(model_id: str) -> ModelInfo | None:
    """Return the model if the stand-in serves it with the classic contract, else None."""
    canonical = canonical_id(model_id)
    if canonical is None:
        return None
    info = MODELS[canonical]
    return None if info.is_chat else info
