"""Request bodies, for the OpenAPI schema. The routes check bodies with helpers.client.payload,
the same rules the client applies, so that the answers are TGI's, not pydantic's."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GenerateParameters(BaseModel):
    """TGI's text-generation parameters (unknown keys are ignored, as TGI does)."""

    model_config = ConfigDict(extra="allow")

    max_new_tokens: int | None = Field(None, gt=0)
    temperature: float | None = Field(None, gt=0)
    top_k: int | None = Field(None, gt=0)
    top_p: float | None = Field(None, gt=0, lt=1)
    repetition_penalty: float | None = Field(None, gt=0)
    do_sample: bool | None = None
    seed: int | None = Field(None, ge=0)
    stop: list[str] | None = Field(None, max_length=4)
    return_full_text: bool | None = None
    details: bool | None = None
    decoder_input_details: bool | None = None
    top_n_tokens: int | None = Field(None, ge=0, le=5)


class GenerateRequest(BaseModel):
    """The classic ``{"inputs", "parameters", "stream"}`` contract."""

    model_config = ConfigDict(extra="allow")

    inputs: str = Field(..., min_length=1)
    parameters: GenerateParameters | None = None
    stream: bool = False
