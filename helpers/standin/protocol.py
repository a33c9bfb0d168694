"""Request models of the stand-in's OpenAI surfaces (chat, completions, responses), vLLM-style:
parsed strictly (``"1"`` is not 1) with the service's defaults, mapped to the generator's
parameters (``params``). Unknown fields are accepted and ignored, so what clients send by
default (``store``, ``metadata``…) is a 200; a value the course does not
teach (``NOT_EMULATED``: ``n`` > 1, ``logprobs``, ``echo``, ``suffix``, a list of prompts) is a 4xx
saying so. Shapes: openai-python's ``completion_create_params.py``, ``response_create_params.py``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import StandInError

REPLY_TOKENS = 64
"""A chat reply's length in tokens (and chat's default budget)."""
NOT_EMULATED = {
    "n": lambda n: n != 1,
    "logprobs": lambda logprobs: logprobs is not None and logprobs is not False,
    "echo": bool,
    "suffix": lambda suffix: suffix is not None,
    "prompt": lambda prompt: isinstance(prompt, list),
}
"""field -> whether its value asks for what the stand-in does not emulate (defaults pass)."""


class Lenient(BaseModel):
    """A request part: strict types, unknown fields ignored."""

    model_config = ConfigDict(extra="ignore", strict=True)


class Function(Lenient):
    name: str = Field(min_length=1)
    description: str | None = None
    parameters: dict[str, Any] | bool = Field(default_factory=lambda: {"type": "object"})


class Tool(Lenient):
    type: Literal["function"] = "function"
    function: Function


class Message(Lenient):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[dict[str, Any]] | None = None

    def text(self) -> str:
        """Return the message's text (a tool call's JSON for an assistant that called one)."""
        if isinstance(self.content, list):
            return " ".join(str(p.get("text", "")) for p in self.content)
        return json.dumps(self.tool_calls or []) if self.content is None else self.content


class Sampling(Lenient):
    """What chat and completions share."""

    model: str | None = None
    max_tokens: int | None = Field(None, gt=0)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = None
    top_k: int | None = None
    repetition_penalty: float | None = Field(None, gt=0)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    presence_penalty: float | None = Field(None, gt=-2, le=2)
    stop: str | list[str] | None = None
    seed: int | None = Field(None, ge=0)
    n: int = Field(1, ge=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None

    @field_validator("stop")
    @classmethod
    def _at_most_four(cls, stop: str | list[str] | None) -> list[str] | None:
        if isinstance(stop, list) and len(stop) > 4:
            raise ValueError("at most 4 stop sequences")
        return [stop] if isinstance(stop, str) else stop

    @property
    def include_usage(self) -> bool:
        return self.stream and (self.stream_options or {}).get("include_usage") is True

    def params(self, tgi: bool) -> dict[str, Any]:
        """Return the generator's (TGI-style) parameters; temperature 0 is greedy, as TGI maps it.
        ``tgi``: the emulated endpoint, where ``top_p`` gets TGI's own check and ``top_k`` none."""
        params: dict[str, Any] = {"max_new_tokens": self.limit}
        if self.temperature != 0:
            params["do_sample"] = True
            if self.temperature not in (None, 1):
                params["temperature"] = self.temperature
        if self.top_p is not None and not tgi and not 0 < self.top_p <= 1:
            raise fail(tgi, "`top_p` must be > 0 and <= 1", "top_p")
        if self.top_p is not None and (tgi or self.top_p < 1):
            params["top_p"] = self.top_p
        if self.top_k and self.top_k > 0 and not tgi:  # TGI's completions set top_k: None
            params["top_k"] = self.top_k
        if self.presence_penalty:  # TGI maps it to a repetition penalty (router/src/lib.rs)
            params["repetition_penalty"] = self.presence_penalty + 2
        optional = ("repetition_penalty", "frequency_penalty", "stop", "seed")
        params.update({k: getattr(self, k) for k in optional if getattr(self, k) is not None})
        return params


class ChatRequest(Sampling):
    messages: list[Message] = Field(min_length=1)
    max_completion_tokens: int | None = Field(None, gt=0)
    logprobs: bool | None = False
    top_logprobs: int | None = Field(None, ge=0, le=20)
    tools: list[Tool] | None = None
    tool_choice: Literal["auto", "none", "required"] | Tool | None = None

    @property
    def limit(self) -> int:
        return self.max_completion_tokens or self.max_tokens or REPLY_TOKENS


class CompletionRequest(Sampling):
    prompt: str | list[str] = Field(min_length=1)
    echo: bool = False
    suffix: str | None = None
    logprobs: int | None = None

    @field_validator("prompt")
    @classmethod
    def _one_prompt(cls, prompt: str | list[str]) -> str | list[str]:
        prompt = prompt[0] if isinstance(prompt, list) and len(prompt) == 1 else prompt
        if prompt == "":
            raise ValueError("the prompt is empty")
        return prompt

    @property
    def limit(self) -> int:
        return self.max_tokens or 16  # OpenAI's documented default for completions


class NamedFunction(Lenient):
    type: Literal["function"]
    name: str


class ResponsesTool(Lenient):  # a function tool's fields; other types are not emulated
    type: str
    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class TextConfig(Lenient):
    format: dict[str, Any] | None = None


class ResponsesRequest(Lenient):
    model: str
    input: str | list[dict[str, Any]] = Field(min_length=1)
    instructions: str | None = None
    max_output_tokens: int | None = Field(None, gt=0)
    stream: bool = False
    tools: list[ResponsesTool] = Field(default_factory=list)
    tool_choice: Literal["auto", "none", "required"] | NamedFunction = "auto"
    text: TextConfig | None = None
    metadata: dict[str, str] | None = None
    previous_response_id: str | None = None


def fail(tgi: bool, message: str, param: str | None = None, code: str | None = None):
    """Return the surface's 4xx: OpenAI's 400, or TGI's 422 validation body."""
    if tgi:
        return StandInError(422, f"Input validation error: {message}", kind="validation")
    return StandInError(400, message, param=param, code=code)


def not_emulated(what: str, param: str, tgi: bool = False) -> StandInError:
    """Return the 4xx for what the live service accepts and the stand-in does not emulate."""
    return fail(tgi, f"{what} is not emulated by the stand-in (the live service accepts it)", param)


def parse(model: type[Any], body: dict[str, Any], tgi: bool) -> Any:
    """Return ``body`` as the request model, or raise the surface's error for the first problem."""
    try:
        req = model.model_validate(body)
    except ValidationError as exc:
        raise fail(tgi, *first_problem(exc)) from None
    for name, refused in NOT_EMULATED.items():
        if name in model.model_fields and refused(getattr(req, name)):
            raise not_emulated(f"`{name}` = {getattr(req, name)!r}", name, tgi)
    return req


def first_problem(exc: ValidationError) -> tuple[str, str]:
    """Return (message, param) for the first error pydantic found, as OpenAI words them."""
    error = exc.errors(include_url=False)[0]
    where = [str(p) for p in error["loc"] if not str(p).startswith(("function-", "literal["))]
    param = ".".join(where) or "body"
    return f"`{param}`: {error['msg']}", param


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """Return the ``openapi_extra`` that documents ``model`` as the route's JSON body."""
    content = {"application/json": {"schema": model.model_json_schema()}}
    return {"openapi_extra": {"requestBody": {"required": True, "content": content}}}
