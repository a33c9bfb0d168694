"""The models the stand-in knows: which exist on its pretend Hub, and what it serves.

The real catalogue changes daily (hf-api-facts.md §1); this one is fixed on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

GPT2 = "openai-community/gpt2"


@dataclass(frozen=True)
class ModelInfo:
    """A model on the stand-in's Hub."""

    id: str
    pipeline_tag: str
    aliases: tuple[str, ...] = ()


MODELS: dict[str, ModelInfo] = {
    GPT2: ModelInfo(GPT2, "text-generation", aliases=("gpt2",)),
}

ALIASES = {alias: info.id for info in MODELS.values() for alias in info.aliases}


def canonical_id(model_id: str) -> str | None:
    """Return the canonical id of ``model_id`` (``gpt2`` → ``openai-community/gpt2``), or None."""
    model_id = model_id.strip("/")
    if model_id in MODELS:
        return model_id
    return ALIASES.get(model_id)
