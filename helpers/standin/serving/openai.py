"""OpenAI-compatible answers, built with ``openai.types``: chat and completions, plain or streamed.

One implementation behind every surface that speaks these shapes: the router, hf-inference's
per-model routes, the provider routes and the emulated TGI endpoint (``Surface.tgi``: TGI's
422 envelope and rules from ``helpers.contract.tgi_violations``, ``top_k`` ignored, stop
sequences kept in the text, TGI's finish reasons and its stream error event). Requests are
``protocol`` models; prose comes from the n-gram text model, tool arguments and structured
values from the conversation (``serving.structured``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletionMessageToolCall
from pydantic import BaseModel, ValidationError

from ..body import read_json
from ..dependencies import Admission, broken_body
from ..errors import StandInError
from ..protocol import ChatRequest, CompletionRequest, first_problem
from ..textgen import WORD_RE, TextGenerator
from .structured import (
    UnsupportedSchema,
    check_schema,
    dumps,
    generate_value,
    json_object,
)

DEFAULT_CHAT_MAX_TOKENS = 64
DEFAULT_COMPLETION_MAX_TOKENS = 16
"""OpenAI's documented default ``max_tokens`` for ``/v1/completions``."""
STAND_IN_MAX_CONTEXT = 8192
"""The ceiling on prompt + completion where the catalogue gives no context length."""
TGI_TOOL_PROMPT = (
    "Given the functions available, please respond with a JSON function call with its proper "
    "arguments that best answers the given prompt. Respond in the format {name: function name, "
    "parameters: dictionary of argument name and its value}.Do not use variables."
)
"""TGI's default ``tool_prompt`` (``router/src/lib.rs`` @ ``db931fcf``), counted in the prompt."""
SERVER_ERROR = "The server had an error while processing your request. Sorry about that!"
STAND_IN_FAULT = "stand-in fault during generation"
IGNORED_HEADER = "x-standin-ignored-fields"
Piece = tuple[str, float, list[tuple[str, float]]]
"""One generated token: its text, log-probability and best alternatives."""
Req = TypeVar("Req", bound=BaseModel)


@dataclass(frozen=True)
class Surface:
    """Where a request arrived: it decides the error envelope and TGI's own rules."""

    name: str
    tgi: bool = False


ROUTER, HF_INFERENCE = Surface("router"), Surface("hf-inference")
TGI_ENDPOINT = Surface("tgi-endpoint", tgi=True)


def openai_error(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> StandInError:
    """Return an error the app's handler renders in OpenAI's envelope on these routes."""
    return StandInError(status, message, param=param, code=code)


def fail(
    surface: Surface, message: str, param: str | None = None, code: str | None = None
) -> StandInError:
    """Return the surface's 4xx: OpenAI's 400, or TGI's 422 validation body."""
    if surface.tgi:
        return StandInError(422, f"Input validation error: {message}", kind="validation")
    return openai_error(400, message, param, code)


async def read_object(request: Request, surface: Surface) -> dict[str, Any]:
    """Return the JSON object body, or raise the surface's 400 (TGI: its plain 4xx)."""
    try:
        body = await read_json(request)
    except StandInError as exc:
        if surface.tgi:
            raise
        raise openai_error(exc.status, exc.message) from None
    if not isinstance(body, dict):
        raise fail(surface, "the body must be a JSON object")
    return body


def parse(model: type[Req], body: dict[str, Any], surface: Surface) -> Req:
    """Return ``body`` as the request model, or raise the surface's error for the first problem."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise fail(surface, *first_problem(exc)) from None


def ignored(req: BaseModel, headers: dict[str, str], also: tuple[str, ...] = ()) -> dict[str, str]:
    """Return ``headers`` plus one naming the fields the stand-in accepted and ignored."""
    names = sorted([*(req.model_extra or {}), *also])
    return {**headers, IGNORED_HEADER: ", ".join(names)} if names else headers


@dataclass
class Answer:
    """One choice: prose (its pieces), structured text, or a tool call."""

    text: str | None
    finish: str
    tokens: int
    pieces: list[Piece] = field(default_factory=list)
    call: ChatCompletionMessageToolCall | None = None
    raw_finish: str = "stop"
    """TGI's own finish reason (``eos_token``, ``length``, ``stop_sequence``)."""


def sampling(
    req: ChatRequest | CompletionRequest, surface: Surface, default_max: int
) -> dict[str, Any]:
    """Return the generator's (TGI-style) parameters; temperature 0 is greedy, as TGI maps it."""
    params: dict[str, Any] = {"max_new_tokens": req.limit or default_max}
    if req.temperature != 0:
        params["do_sample"] = True
        if req.temperature not in (None, 1):
            params["temperature"] = req.temperature
    if req.top_p is not None and not surface.tgi and not 0 < req.top_p <= 1:
        raise fail(surface, "`top_p` must be > 0 and <= 1", "top_p")
    if req.top_p is not None and (surface.tgi or req.top_p < 1):
        params["top_p"] = req.top_p
    if req.top_k and req.top_k > 0 and not surface.tgi:  # TGI's completions set top_k: None
        params["top_k"] = req.top_k
    if req.presence_penalty:  # TGI maps it to a repetition penalty (router/src/lib.rs)
        params["repetition_penalty"] = req.presence_penalty + 2
    optional = ("repetition_penalty", "frequency_penalty", "stop", "seed")
    params.update({k: getattr(req, k) for k in optional if getattr(req, k) is not None})
    if req.min_tokens and not surface.tgi:
        params["min_tokens"] = min(req.min_tokens, params["max_new_tokens"])
    return params


def check_size(
    surface: Surface, params: dict[str, Any], prompt_tokens: int, context: int | None
) -> None:
    """Raise for TGI's rules (the endpoint) or a prompt + ``max_tokens`` over the context."""
    if surface.tgi:
        from ...contract import tgi_violations

        problems = tgi_violations(params, input_tokens=prompt_tokens)
        if problems:
            raise fail(surface, problems[0])
        return
    limit, asked = context or STAND_IN_MAX_CONTEXT, params["max_new_tokens"]
    if prompt_tokens + asked > limit:
        raise fail(
            surface,
            f"This model's maximum context length is {limit} tokens. However, you requested "
            f"{prompt_tokens + asked} tokens ({prompt_tokens} in the messages, {asked} in the "
            "completion). Please reduce the length of the messages or completion.",
            "max_tokens",
            "context_length_exceeded",
        )


def format_schema(fmt: dict[str, Any] | None, surface: Surface) -> tuple[Any, bool]:
    """Return (schema or None, json_object?) from ``response_format``.

    Accepted: OpenAI's ``{"type": "json_schema", "json_schema": {"name", "schema"}}``,
    ``{"type": "json_object"}``, ``{"type": "text"}``, TGI's grammar form
    ``{"type": "json_object", "value": schema}`` (huggingface_hub's hf-inference) and
    ``{"type": "json_schema", "schema": schema}`` (huggingface.js's together).
    """
    kind = (fmt or {}).get("type", "text")
    if kind == "text" or surface.tgi:
        return None, False
    if kind == "json_object" and "value" not in fmt:
        return None, True
    spec = fmt.get("json_schema") if isinstance(fmt.get("json_schema"), dict) else None
    schema = (
        fmt.get("value") if kind == "json_object" else (spec or {}).get("schema", fmt.get("schema"))
    )
    if kind not in ("json_object", "json_schema") or not isinstance(schema, (dict, bool)):
        raise fail(
            surface,
            '`response_format` must be {"type": "text"}, {"type": "json_object"} or '
            '{"type": "json_schema", "json_schema": {"name": ..., "schema": {...}}}',
            "response_format",
        )
    try:
        check_schema(schema, "response_format's schema")
    except UnsupportedSchema as exc:
        raise fail(surface, str(exc), "response_format") from None
    return schema, False


def seeded(params: dict[str, Any], index: int) -> dict[str, Any]:
    """Return one choice's parameters: with a seed, choice i uses seed + i (reproducible)."""
    seed = params.get("seed")
    return params if seed is None or not index else {**params, "seed": seed + index}


def words_about(generator: TextGenerator, seed: int, about: str):
    """Return ``words(topic, n)``: a whole corpus sentence about ``about`` and ``topic``."""
    return lambda topic, n: generator.sentence(f"{about} {topic}", seed + len(topic)) or topic


def cut(text: str, limit: int) -> tuple[str, int, bool]:
    """Return (``text`` cut after ``limit`` tokens, tokens kept, whether it was cut): a limit
    cuts JSON short as OpenAI's and vLLM's do (``finish_reason: "length"``)."""
    spans = list(WORD_RE.finditer(text))
    if len(spans) <= limit:
        return text, len(spans), False
    return text[: spans[limit - 1].end()], limit, True


def structured(
    generator: TextGenerator, schema: Any, topic: str, seed: int, limit: int, *, marked: bool = True
) -> Answer:
    """Return a JSON answer: a value for ``schema`` (or json_object's object when None)."""
    words = words_about(generator, seed, topic)
    value = (
        generate_value(schema, seed, words, topic)
        if schema is not None
        else json_object(seed, words, topic, marked=marked)
    )
    text, size, was_cut = cut(dumps(value), limit)
    pieces, start = [], 0
    for match in WORD_RE.finditer(text):
        pieces.append((text[start : match.end()], 0.0, []))
        start = match.end()
    return Answer(text, "length" if was_cut else "stop", size, pieces)


def prose(
    generator: TextGenerator,
    prompt: str,
    params: dict[str, Any],
    surface: Surface,
    *,
    top_n: int = 0,
    chat: bool = False,
) -> Answer:
    """Return generated text; OpenAI surfaces cut it where a stop string starts (vLLM's
    ``check_stop_strings``), TGI keeps the stop. A chat answer starts its own sentence."""
    least = (
        max(min(8, params["max_new_tokens"]), params.get("min_tokens", 0))
        if chat
        else params.get("min_tokens", 0)
    )
    gen = generator.generate(
        prompt, params, least, top_n=top_n, stop_anywhere=not surface.tgi, fresh=chat
    )
    pieces = [
        (
            t.text,
            float(t.logprob),
            [("" if a.special else a.text, float(a.logprob)) for a in t.top[:top_n]],
        )
        for t in gen.tokens
        if not t.special
    ]
    text = "".join(p[0] for p in pieces)
    found = [(text.find(s), s) for s in params.get("stop") or [] if s and s in text]
    if found and not surface.tgi and gen.finish_reason == "stop_sequence":
        keep, kept, position = min(found)[0], [], 0
        for piece in pieces:
            if position < keep:
                kept.append((piece[0][: keep - position], *piece[1:]))
            position += len(piece[0])
        pieces = kept
    finish = "length" if gen.finish_reason == "length" else "stop"
    return Answer(
        "".join(p[0] for p in pieces), finish, len(gen.tokens), pieces, raw_finish=gen.finish_reason
    )


def usage_of(prompt: int, completion: int) -> CompletionUsage:
    return CompletionUsage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )


async def send(
    request: Request, answer: BaseModel, admission: Admission, headers: dict[str, str], tokens: int
) -> Response:
    """Send a finished answer after the per-token latency knob (or drop it, the fault knob)."""
    delay = request.app.state.options.latency_ms_per_token / 1000
    if delay:
        await asyncio.sleep(delay * tokens)
    if admission.drop:
        return StreamingResponse(broken_body('{"id": "'), headers=headers)
    return JSONResponse(
        answer.model_dump(mode="json", exclude_unset=True, warnings=False), headers=headers
    )


def stream(events: AsyncIterator[str], headers: dict[str, str]) -> StreamingResponse:
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


def fault_message(request: Request) -> str:
    """Return the mid-stream fault's words: the stand-in's, or OpenAI's under ``today``."""
    return STAND_IN_FAULT if request.app.state.profile.marks_stand_in else SERVER_ERROR
