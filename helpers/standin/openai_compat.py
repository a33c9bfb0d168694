"""OpenAI-compatible requests and answers: ``/v1/completions`` and ``/v1/chat/completions``.

One implementation behind every surface that speaks these shapes: the router's
``/v1/chat/completions``, hf-inference's per-model ``/hf-inference/models/{id}/v1/...``, the
emulated dedicated endpoint's ``/endpoints/gpt2/v1/...`` and the provider routes. A surface
only differs in how it reports a bad request (:class:`Surface`).

Every documented parameter has an effect or a clear error (the chat parameters of
huggingface_hub 2.4.0 ``inference/_generated/types/chat_completion.py`` ``ChatCompletionInput``,
the same list as hub-docs ``docs/inference-providers/tasks/chat-completion.md``). The stand-in's
answers come from its n-gram text model; tool calls and structured output are built from the
given JSON schemas by :mod:`helpers.standin.structured` (stand-in behaviour, documented there).
Shapes: OpenAI's API reference, as openai-python 3.x parses them (``types/chat/
chat_completion*.py``, ``types/completion*.py``).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from . import events as sse
from .body import read_json
from .dependencies import Admission, broken_body
from .events import OPENAI_DONE, openai_error_event, openai_event, tgi_openai_error_event
from .profiles import PROFILES, Profile
from .responses import StandInError
from .structured import (
    UnsupportedSchema,
    check_schema,
    choose_tool,
    dumps,
    generate_json_object,
    generate_value,
)
from .textgen import WORD_RE, TextGenerator

DEFAULT_CHAT_MAX_TOKENS = 64
DEFAULT_COMPLETION_MAX_TOKENS = 16
"""OpenAI's documented default ``max_tokens`` for ``/v1/completions``."""
MAX_N = 8
MAX_TOP_LOGPROBS = 5
MAX_PROMPTS = 4
"""TGI's default ``--max-client-batch-size`` for a list of prompts on ``/v1/completions``."""
CHAT_ROLES = ("system", "developer", "user", "assistant", "tool")
TGI_TOOL_PROMPT = (
    "Given the functions available, please respond with a JSON function call with its proper "
    "arguments that best answers the given prompt. Respond in the format {name: function name, "
    "parameters: dictionary of argument name and its value}.Do not use variables."
)
"""TGI's default ``tool_prompt`` (``router/src/lib.rs`` @ ``db931fcf``), counted in the prompt."""


# --- how each surface reports a bad request ---------------------------------------------------


@dataclass(frozen=True)
class Surface:
    """Where a request arrived; it decides the error envelope and the status of bad input."""

    name: str
    tgi: bool = False
    """True on the emulated TGI endpoint: ``{"error", "error_type"}`` with 422, as TGI answers
    (``router/src/server.rs`` @ ``db931fcf``, ``From<InferError>``)."""
    plain: bool = False
    """True under a profile that marks nothing but the ``X-Stand-In`` header (``today``): the
    messages are the real servers' own words (OpenAI's, vLLM's) and never name the stand-in."""

    def says(self, teaching: str, plain: str) -> str:
        """Return the teaching profile's wording, or the neutral one under ``plain``."""
        return plain if self.plain else teaching

    def error(
        self, message: str, param: str | None = None, code: str | None = None, status: int = 400
    ) -> StandInError:
        if self.tgi:
            return StandInError(
                422 if status == 400 else status,
                {"error": f"Input validation error: {message}", "error_type": "validation"},
            )
        return openai_error(status, message, param, code)


TGI_TOP_P = "`top_p` must be > 0.0 and < 1.0"
"""TGI's validation message (``router/src/validation.rs`` @ ``db931fcf``)."""


class StreamedValidationError(StandInError):
    """A TGI validation error for a streamed OpenAI request: TGI validates inside the stream,
    so the answer is a 200 whose one event is ``{"error": {"message", "http_status_code"}}``."""


async def _one_event(event: str) -> AsyncIterator[str]:
    yield event


def openai_error(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> StandInError:
    """Return an error in OpenAI's envelope, as the router sends on its OpenAI routes."""
    return StandInError(
        status,
        {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": param,
                "code": code,
            }
        },
    )


def speaking_for(surface: Surface, profile: Profile) -> Surface:
    """Return ``surface`` with the wording ``profile`` allows (neutral when it marks nothing)."""
    return replace(surface, plain=not profile.marks_stand_in)


UNSUPPORTED_PARAMETER = "Unsupported parameter: '{0}' is not supported with this model."
"""OpenAI's wording for a parameter a model does not take (code ``unsupported_parameter``, as
OpenAI's API answers ``max_tokens`` sent to its reasoning models)."""
XGRAMMAR_UNSUPPORTED = "The provided JSON schema contains features not supported by xgrammar."
"""vLLM's answer to a schema its default structured-output backend cannot compile
(``vllm/v1/structured_output/backend_xgrammar.py``, ``has_xgrammar_unsupported_json_features``)."""
SERVER_ERROR = "The server had an error while processing your request. Sorry about that!"
"""OpenAI's ``server_error`` message: the today profile's injected stream fault."""
STAND_IN_FAULT = "stand-in fault during generation"


def schema_error(surface: Surface, exc: Exception, param: str) -> StandInError:
    """Return the 400 for a schema the stand-in cannot fill: its reason, or vLLM's words."""
    return surface.error(surface.says(str(exc), XGRAMMAR_UNSUPPORTED), param)


ROUTER = Surface("router")
HF_INFERENCE = Surface("hf-inference")
TGI_ENDPOINT = Surface("tgi-endpoint", tgi=True)


async def read_object(request: Request, surface: Surface) -> dict[str, Any]:
    """Return the JSON object body, or raise the surface's 400 (TGI: its plain 4xx)."""
    try:
        body = await read_json(request)
    except StandInError as exc:
        message = exc.body.get("error") if isinstance(exc.body, dict) else str(exc.body)
        if surface.tgi:
            raise
        raise openai_error(exc.status, str(message)) from None
    if not isinstance(body, dict):
        raise surface.error("the body must be a JSON object")
    return body


# --- parameters -------------------------------------------------------------------------------


def _number(body: dict, name: str, low: float, high: float, surface: Surface) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
        raise surface.error(f"`{name}` must be a number between {low:g} and {high:g}", name)
    return float(value)


def _stream_flags(body: dict[str, Any], surface: Surface) -> tuple[bool, bool]:
    """Return (``stream``, ``stream_options.include_usage``), or raise the route's 400."""
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise surface.error("`stream` must be a boolean", "stream")
    options = body.get("stream_options")
    if options is not None and (not isinstance(options, dict) or not stream):
        raise surface.error(
            "`stream_options` is an object, allowed only with `stream`", "stream_options"
        )
    return stream, bool((options or {}).get("include_usage"))


def _integer(body: dict, name: str, low: int, high: int, surface: Surface) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise surface.error(f"`{name}` must be an integer between {low} and {high}", name)
    return value


def sampling_parameters(body: dict, surface: Surface, default_max: int) -> dict[str, Any]:
    """Return the generator's (TGI-style) parameters from OpenAI ones; raise for a bad value.

    ``temperature`` 0 is greedy, anything else samples (OpenAI's default temperature is 1), as
    TGI's ``/v1/completions`` maps it (``server.rs`` @ ``db931fcf``: "enable greedy only when
    temperature is 0").
    """
    params: dict[str, Any] = {}
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is None:
        max_tokens = default_max
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens <= 0:
        raise surface.error("`max_tokens` must be a positive integer", "max_tokens")
    params["max_new_tokens"] = max_tokens
    temperature = _number(body, "temperature", 0, 2, surface)
    if temperature != 0:
        params["do_sample"] = True
        if temperature is not None and temperature != 1:
            params["temperature"] = temperature
    top_p = body.get("top_p")
    if top_p is not None and surface.tgi:
        # TGI passes top_p to its own validation: > 0.0 and < 1.0, so 1.0 is a 422 there
        # (router/src/validation.rs @ db931fcf).
        if not isinstance(top_p, (int, float)) or isinstance(top_p, bool) or not 0 < top_p < 1:
            raise surface.error(TGI_TOP_P, "top_p")
        params["top_p"] = float(top_p)
    elif top_p is not None:
        if not isinstance(top_p, (int, float)) or isinstance(top_p, bool) or not 0 < top_p <= 1:
            raise surface.error("`top_p` must be > 0 and <= 1", "top_p")
        if top_p < 1:
            params["top_p"] = float(top_p)
    # TGI's /v1/completions has no top_k: it sets ``top_k: None`` (router/src/server.rs
    # l.781-786 @ db931fcf), so the field is ignored there. Elsewhere it is vLLM's extension.
    top_k = None if surface.tgi else _integer(body, "top_k", -1, 1_000_000, surface)
    if top_k and top_k > 0:
        params["top_k"] = top_k
    penalty = body.get("repetition_penalty")  # a vLLM extension
    if penalty is not None:
        if not isinstance(penalty, (int, float)) or isinstance(penalty, bool) or penalty <= 0:
            raise surface.error(
                "`repetition_penalty` must be a positive number", "repetition_penalty"
            )
        params["repetition_penalty"] = float(penalty)
    stop = body.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if stop is not None:
        if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop) or len(stop) > 4:
            raise surface.error("`stop` must be a string or a list of at most 4 strings", "stop")
        params["stop"] = stop
    seed = _integer(body, "seed", 0, 2**63 - 1, surface)
    if seed is not None:
        params["seed"] = seed
    frequency = _number(body, "frequency_penalty", -2, 2, surface)
    if frequency:
        params["frequency_penalty"] = frequency  # TGI's frequency penalty, same range
    presence = _number(body, "presence_penalty", -2, 2, surface)
    if presence is not None and presence != 0:
        # TGI's chat maps it to a repetition penalty of presence_penalty + 2 (router/src/lib.rs
        # @ db931fcf, ChatRequest::try_into_generate); a penalty must stay positive.
        if presence + 2 <= 0:
            raise surface.error("`presence_penalty` must be greater than -2", "presence_penalty")
        params["repetition_penalty"] = presence + 2
    if body.get("logit_bias"):
        raise surface.error(
            surface.says(
                "`logit_bias` is not implemented by the stand-in (its tokens are not the "
                "model's); omit it",
                UNSUPPORTED_PARAMETER.format("logit_bias"),
            ),
            "logit_bias",
            "unsupported_parameter",
        )
    min_tokens = body.get("min_tokens")  # a vLLM extension; TGI has none and ignores the field
    if min_tokens is not None and not surface.tgi:
        # vLLM's own messages (vllm/sampling_params.py, SamplingParams._verify_args).
        if not isinstance(min_tokens, int) or isinstance(min_tokens, bool) or min_tokens < 0:
            raise surface.error(
                f"min_tokens must be greater than or equal to 0, got {min_tokens}.", "min_tokens"
            )
        if min_tokens > max_tokens:
            raise surface.error(
                f"min_tokens must be less than or equal to max_tokens={max_tokens}, "
                f"got {min_tokens}.",
                "min_tokens",
            )
        params["min_tokens"] = min_tokens
    return params


def choice_seeds(params: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """Return per-choice parameters: with a seed, choice i uses seed + i (reproducible)."""
    if n == 1:
        return [params]
    seed = params.get("seed")
    return [{**params, **({"seed": seed + i} if seed is not None else {})} for i in range(n)]


# --- log-probabilities ------------------------------------------------------------------------


def top_of(token: Any, k: int) -> list[tuple[str, float]]:
    """Return a generated token's ``k`` best alternatives as (text, logprob), best first.

    They come from the distribution the token was drawn from (textgen's ``Token.top``, filled
    by ``generate(..., top_n=k)``).
    """
    return [(alt.text if not alt.special else "", float(alt.logprob)) for alt in token.top[:k]]


def visible_pieces(
    gen: Any, stops: list[str], k: int, surface: Surface, *, keep_stop: bool = False
) -> list[tuple[str, float, list[tuple[str, float]]]]:
    """Return the generated tokens as (text, logprob, top k), cut where the stop sequence starts.

    OpenAI-style servers stop at the first occurrence of a stop string anywhere in the text,
    even inside a token, and leave it and what follows out (OpenAI's API reference for
    ``stop``; vLLM's ``check_stop_strings`` in ``vllm/v1/engine/detokenizer.py`` truncates the
    text at the match, or after it with ``include_stop_str_in_output``, here ``keep_stop``).
    TGI stops when the text ends with the stop and keeps it, so the TGI endpoint does too.
    """
    pieces = [(t.text, float(t.logprob), top_of(t, k)) for t in gen.tokens if not t.special]
    if surface.tgi or gen.finish_reason != "stop_sequence":
        return pieces
    text = "".join(p[0] for p in pieces)
    found = [(text.find(s), s) for s in stops if s and s in text]
    if not found:
        return pieces
    start, stop = min(found)
    keep = start + len(stop) if keep_stop else start
    kept, position = [], 0
    for piece_text, logprob, top in pieces:
        if position >= keep:
            break
        kept.append((piece_text[: keep - position], logprob, top))
        position += len(piece_text)
    return kept


def cut_to_tokens(text: str, limit: int) -> tuple[str, int, bool]:
    """Return (``text`` cut after its first ``limit`` tokens, tokens kept, whether it was cut).

    ``max_tokens`` bounds structured answers and tool calls as it bounds prose: OpenAI and vLLM
    stop generating at the limit whatever the grammar, answer ``finish_reason: "length"``, and
    the JSON (content or tool-call ``arguments``) is then cut short and may be invalid (OpenAI's
    structured-outputs guide warns of exactly this for ``max_tokens``). The stand-in builds the
    whole value first, then keeps its first ``limit`` tokens (its own tokenizer, ``WORD_RE``).
    """
    spans = list(WORD_RE.finditer(text))
    if len(spans) <= limit:
        return text, len(spans), False
    return text[: spans[limit - 1].end()], limit, True


def token_pieces(text: str) -> list[tuple[str, float, list[tuple[str, float]]]]:
    """Return ``text`` as (piece, logprob 0, no alternatives), one piece per token (streams)."""
    pieces, start = [], 0
    for match in WORD_RE.finditer(text):
        pieces.append((text[start : match.end()], 0.0, []))
        start = match.end()
    if start < len(text) and pieces:
        last = pieces[-1]
        pieces[-1] = (last[0] + text[start:], 0.0, [])
    return pieces


def chat_logprob_entry(token_text: str, logprob: float, top: list[tuple[str, float]]) -> dict:
    """One entry of ``choices[].logprobs.content`` (OpenAI's chat shape)."""
    return {
        "token": token_text,
        "logprob": round(logprob, 4),
        "bytes": list(token_text.encode("utf-8")),
        "top_logprobs": [
            {"token": t, "logprob": round(lp, 4), "bytes": list(t.encode("utf-8"))} for t, lp in top
        ],
    }


STAND_IN_MAX_CONTEXT = 8192
"""The stand-in's own ceiling on generated tokens, and on prompt + completion where the
catalogue gives no context length (its n-gram model would otherwise generate for as long as
asked)."""


def check_context(
    prompt_tokens: int, max_new_tokens: int, context_length: int | None, surface: Surface
) -> None:
    """Raise the surface's error when prompt + ``max_tokens`` exceed the model's context.

    OpenAI-style surfaces use the wording OpenAI and vLLM answer with; the TGI endpoint uses
    TGI's validation message (``router/src/validation.rs`` @ ``db931fcf``).
    """
    limit = context_length or STAND_IN_MAX_CONTEXT
    total = prompt_tokens + max_new_tokens
    if total <= limit:
        if max_new_tokens > STAND_IN_MAX_CONTEXT:
            raise surface.error(
                surface.says(
                    f"the stand-in generates at most {STAND_IN_MAX_CONTEXT} tokens per request "
                    "(the real model allows more); lower `max_tokens`",
                    # OpenAI's wording for a completion limit below the context's
                    f"max_tokens is too large: {max_new_tokens}. This model supports at most "
                    f"{STAND_IN_MAX_CONTEXT} completion tokens, whereas you provided "
                    f"{max_new_tokens}.",
                ),
                "max_tokens",
                surface.says("stand_in_limit", "invalid_value"),
            )
        return
    if surface.tgi:
        from .validation import MAX_TOTAL_TOKENS_MESSAGE

        raise surface.error(MAX_TOTAL_TOKENS_MESSAGE.format(limit, prompt_tokens, max_new_tokens))
    raise surface.error(
        f"This model's maximum context length is {limit} tokens. However, you requested "
        f"{total} tokens ({prompt_tokens} in the messages, {max_new_tokens} in the "
        "completion). Please reduce the length of the messages or completion.",
        "max_tokens",
        "context_length_exceeded",
    )


_COMMON_KEYS = {
    "model", "max_tokens", "temperature", "top_p", "top_k", "repetition_penalty", "stop", "seed",
    "frequency_penalty", "presence_penalty", "logit_bias", "n", "stream", "stream_options",
    "logprobs", "user",
}  # fmt: skip
CHAT_KEYS = _COMMON_KEYS | {
    "messages", "max_completion_tokens", "top_logprobs", "tools", "tool_choice", "tool_prompt",
    "response_format", "parallel_tool_calls", "min_tokens",
}  # fmt: skip
"""``user`` (an end-user id) and ``parallel_tool_calls`` (the stand-in calls one tool at most,
which satisfies both values) are accepted and change nothing."""
COMPLETION_KEYS = _COMMON_KEYS | {
    "prompt", "echo", "suffix", "best_of", "response_format", "min_tokens", "ignore_eos",
    "include_stop_str_in_output",
}  # fmt: skip
"""openai-python's ``CompletionCreateParams`` (``types/completion_create_params.py``) plus the
vLLM extensions the stand-in implements (vLLM's "Extra parameters" of its Completions API,
``vllm/entrypoints/openai/protocol.py`` ``CompletionRequest``)."""
VLLM_UNIMPLEMENTED = {
    "use_beam_search": False, "min_p": 0.0, "length_penalty": 1.0, "stop_token_ids": [],
    "skip_special_tokens": True, "spaces_between_special_tokens": True,
    "truncate_prompt_tokens": None, "allowed_token_ids": None, "prompt_logprobs": None,
    "add_special_tokens": True, "guided_json": None, "guided_regex": None,
    "guided_choice": None, "guided_grammar": None, "guided_decoding_backend": None,
    "guided_whitespace_pattern": None, "structured_outputs": None, "logits_processors": None,
    "return_tokens_as_token_ids": False, "bad_words": [],
}  # fmt: skip
"""vLLM's other documented completions extensions, with their defaults: a value other than
the default gets a clear 400 rather than being silently ignored."""
IGNORED_HEADER = "x-standin-ignored-fields"


def note_ignored(body: dict, known: set[str], headers: dict[str, str]) -> dict[str, str]:
    """Return ``headers`` plus one naming the body's unknown fields, if any.

    vLLM and most providers accept unknown fields and ignore them (vLLM logs a warning); the
    stand-in does the same but says so in a header, so the learner can see it.
    """
    unknown = sorted(k for k in body if k not in known)
    return {**headers, IGNORED_HEADER: ", ".join(unknown)} if unknown else headers


# --- chat requests ----------------------------------------------------------------------------


@dataclass
class ChatRequest:
    """A validated chat request."""

    texts: list[str]
    last_user: str | None
    topic: str
    params: dict[str, Any]
    n: int = 1
    stream: bool = False
    include_usage: bool = False
    logprobs: bool = False
    top_logprobs: int = 0
    tools: list[dict] = field(default_factory=list)
    tool_choice: Any = "auto"
    tool_prompt: str = ""
    schema: Any = None
    json_object: bool = False
    max_given: bool = True
    """False when the request set no ``max_tokens``: the answer then ends after its last whole
    sentence within the default budget (``finish_reason: "stop"``), as a model's reply ends."""


def _message_text(message: Any, surface: Surface, model: str = "this model") -> str:
    if not isinstance(message, dict) or message.get("role") not in CHAT_ROLES:
        raise surface.error(
            "each message needs a role: system, developer, user, assistant or tool", "messages"
        )
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p for p in content if isinstance(p, dict)]
        if any(p.get("type") not in ("text", None) for p in parts):
            raise surface.error(
                surface.says(
                    "the stand-in's models read text only: send parts of type `text`",
                    f"{model} is not a multimodal model",  # vLLM's words for a text-only model
                ),
                "messages",
                "unsupported_content",
            )
        return " ".join(str(p.get("text", "")) for p in parts)
    if content is None and message["role"] == "assistant":
        return json.dumps(message.get("tool_calls") or [])
    raise surface.error("message content must be a string or a list of parts", "messages")


def _tools(body: dict, surface: Surface) -> list[dict]:
    tools = body.get("tools")
    if tools is None:
        return []
    if not isinstance(tools, list) or not tools:
        raise surface.error("`tools` must be a non-empty list", "tools")
    for tool in tools:
        function = tool.get("function") if isinstance(tool, dict) else None
        if (
            not isinstance(function, dict)
            or tool.get("type", "function") != "function"
            or not isinstance(function.get("name"), str)
            or not function["name"]
        ):
            raise surface.error(
                'each tool must be {"type": "function", "function": {"name": ..., '
                '"parameters": {JSON schema}}}',
                "tools",
            )
        try:
            check_schema(function.get("parameters", {}), f"tool {function['name']!r} parameters")
        except UnsupportedSchema as exc:
            raise schema_error(surface, exc, "tools") from None
    return tools


def _tool_choice(body: dict, tools: list[dict], surface: Surface) -> Any:
    choice = body.get("tool_choice")
    if choice is None:
        return "auto"
    if not tools:
        raise surface.error("`tool_choice` is only allowed when `tools` are given", "tool_choice")
    if choice in ("auto", "none", "required"):
        return choice
    name = None
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        name = choice["function"].get("name")
    if not isinstance(name, str):
        raise surface.error(
            '`tool_choice` must be "auto", "none", "required" or '
            '{"type": "function", "function": {"name": ...}}',
            "tool_choice",
        )
    if name not in [t["function"]["name"] for t in tools]:
        raise surface.error(f"`tool_choice` names {name!r}, which is not in `tools`", "tool_choice")
    return {"type": "function", "function": {"name": name}}


def _response_format(body: dict, surface: Surface) -> tuple[Any, bool]:
    """Return (schema or None, json_object?) from ``response_format``.

    Accepted shapes: OpenAI's ``{"type": "json_schema", "json_schema": {"name", "schema"}}``,
    ``{"type": "json_object"}``, ``{"type": "text"}``; the forms the official clients rewrite it
    into for some providers: ``{"type": "json_object", "value": schema}`` (TGI's grammar,
    huggingface_hub 2.4.0 ``_providers/hf_inference.py``) and ``{"type": "json_schema",
    "schema": schema}`` (huggingface.js ``providers/together.ts`` @ ``fe42e680``).
    """
    fmt = body.get("response_format")
    if fmt is None:
        return None, False
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind == "text":
        return None, False
    if kind == "json_object":
        if "value" in fmt:
            schema = fmt["value"]
        else:
            return None, True
    elif kind == "json_schema":
        spec = fmt.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else fmt.get("schema")
        if schema is None:
            raise surface.error(
                '`response_format` json_schema needs {"json_schema": {"name": ..., "schema": '
                "{...}}}",
                "response_format",
            )
    else:
        raise surface.error(
            '`response_format.type` must be "text", "json_object" or "json_schema"',
            "response_format",
        )
    try:
        check_schema(schema, "response_format's schema")
    except UnsupportedSchema as exc:
        raise schema_error(surface, exc, "response_format") from None
    return schema, False


def parse_chat(body: dict, surface: Surface) -> ChatRequest:
    """Return a validated ChatRequest; raise the surface's error for bad input."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise surface.error("`messages` must be a non-empty list", "messages")
    model = body.get("model") if isinstance(body.get("model"), str) else "this model"
    texts = [_message_text(m, surface, model) for m in messages]
    user_texts = [
        t for m, t in zip(messages, texts, strict=True) if m["role"] == "user" and t.strip()
    ]
    if not user_texts:
        raise surface.error("at least one user message with content is needed", "messages")
    stream, include_usage = _stream_flags(body, surface)
    logprobs = body.get("logprobs", False)
    if not isinstance(logprobs, bool):
        raise surface.error("`logprobs` must be a boolean", "logprobs")
    top = _integer(body, "top_logprobs", 0, MAX_TOP_LOGPROBS, surface)
    if top is not None and not logprobs:
        raise surface.error("`top_logprobs` needs `logprobs: true`", "top_logprobs")
    tools = _tools(body, surface)
    tool_prompt = body.get("tool_prompt")
    if tool_prompt is not None and (not isinstance(tool_prompt, str) or not tools):
        raise surface.error("`tool_prompt` is a string, used only with `tools`", "tool_prompt")
    schema, json_object = _response_format(body, surface)
    last_is_user = messages[-1].get("role") == "user"
    return ChatRequest(
        texts=texts,
        last_user=texts[-1] if last_is_user else None,
        topic=user_texts[-1].rstrip(" ?!.") or user_texts[-1],
        params=sampling_parameters(body, surface, DEFAULT_CHAT_MAX_TOKENS),
        n=_integer(body, "n", 1, MAX_N, surface) or 1,
        stream=stream,
        include_usage=include_usage,
        logprobs=logprobs,
        top_logprobs=top or 0,
        tools=tools,
        tool_choice=_tool_choice(body, tools, surface),
        tool_prompt=tool_prompt if tool_prompt is not None else TGI_TOOL_PROMPT,
        schema=schema,
        json_object=json_object,
        max_given=body.get("max_completion_tokens", body.get("max_tokens")) is not None,
    )


# --- chat answers -----------------------------------------------------------------------------


@dataclass
class ChatChoice:
    """One choice: prose (with tokens) or structured content or a tool call."""

    index: int
    content: str | None
    finish_reason: str
    tokens: list[tuple[str, float, list[tuple[str, float]]]] = field(default_factory=list)
    tool_call: dict | None = None
    completion_tokens: int = 0


def _finish(gen: Any) -> str:
    return "length" if gen.finish_reason == "length" else "stop"


def _words(generator: TextGenerator, seed: int, about: str = "") -> Callable[[str, int], str]:
    """Return ``words(topic, n)``: one whole corpus sentence about ``about`` and ``topic``
    (a value's text when the conversation offers none; ``n`` is not used)."""
    rng = np.random.default_rng(seed)

    def words(topic: str, n: int) -> str:
        return generator.sentence(f"{about} {topic}", int(rng.integers(2**31))) or topic

    return words


def build_chat_choices(
    req: ChatRequest, generator: TextGenerator, surface: Surface
) -> list[ChatChoice]:
    """Return the answer's choices; raise the surface's error for a schema it cannot fill."""
    choices = []
    for index, params in enumerate(choice_seeds(req.params, req.n)):
        seed = params.get("seed")
        if seed is None:
            seed = int(np.random.default_rng().integers(2**31))
        tool = choose_tool(req.tools, req.tool_choice, req.last_user)
        try:
            if tool is not None:
                function = tool["function"]
                arguments = generate_value(
                    function.get("parameters", {"type": "object"}),
                    seed,
                    _words(generator, seed, req.topic),
                    req.topic,
                )
                call = {
                    "id": "call_" + uuid.uuid4().hex[:24],
                    "type": "function",
                    "function": {"name": function["name"], "arguments": dumps(arguments)},
                }
                arguments_text, size, cut = cut_to_tokens(
                    call["function"]["arguments"], params["max_new_tokens"]
                )
                call["function"]["arguments"] = arguments_text
                finish = "length" if cut else "tool_calls"
                choices.append(
                    ChatChoice(index, None, finish, tool_call=call, completion_tokens=size)
                )
                continue
            if req.schema is not None or req.json_object:
                value = (
                    generate_value(req.schema, seed, _words(generator, seed, req.topic), req.topic)
                    if req.schema is not None
                    else generate_json_object(
                        seed,
                        _words(generator, seed, req.topic),
                        req.topic,
                        marked=not surface.plain,
                    )
                )
                text, size, cut = cut_to_tokens(dumps(value), params["max_new_tokens"])
                finish = "length" if cut else "stop"
                choices.append(ChatChoice(index, text, finish, completion_tokens=size))
                continue
        except UnsupportedSchema as exc:
            raise schema_error(
                surface, exc, "response_format" if tool is None else "tools"
            ) from None
        top_n = max(req.top_logprobs, 1) if req.logprobs else 0
        least = max(min(8, params["max_new_tokens"]), params.get("min_tokens", 0))
        gen = generator.generate(
            req.topic,
            params,
            min_new_tokens=least,
            top_n=top_n,
            stop_anywhere=not surface.tgi,
            fresh=True,  # an answer starts its own sentence, about the message's words
        )
        tokens = visible_pieces(gen, params.get("stop") or [], req.top_logprobs, surface)
        finish, used = _finish(gen), len(gen.tokens)
        if not req.max_given and finish == "length":
            ends = [i for i, t in enumerate(tokens) if t[0].rstrip().endswith((".", "!", "?"))]
            if ends:  # end after the last whole sentence, as a reply does
                tokens, finish, used = tokens[: ends[-1] + 1], "stop", ends[-1] + 1
        choices.append(
            ChatChoice(
                index,
                "".join(t[0] for t in tokens).lstrip(),
                finish,
                tokens=tokens,
                completion_tokens=used,
            )
        )
    return choices


def chat_usage(req: ChatRequest, choices: list[ChatChoice], generator: TextGenerator) -> dict:
    prompt = sum(generator.count_tokens(t) for t in req.texts)
    if req.tools and req.tool_choice != "none":
        prompt += generator.count_tokens(req.tool_prompt + json.dumps(req.tools))
    completion = sum(c.completion_tokens for c in choices)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def chat_meta(model: str, profile: Profile = PROFILES["teaching"]) -> dict[str, Any]:
    """Return the id, time, model and fingerprint of a chat answer (as the profile marks them)."""
    return {
        "id": profile.response_id("chatcmpl"),
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": profile.system_fingerprint,
    }


def chat_message(choice: ChatChoice, req: ChatRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "index": choice.index,
        "message": {"role": "assistant", "content": choice.content},
        "logprobs": None,
        "finish_reason": choice.finish_reason,
    }
    if choice.tool_call is not None:
        body["message"]["tool_calls"] = [choice.tool_call]
    if req.logprobs and choice.tokens:
        body["logprobs"] = {"content": [chat_logprob_entry(*t) for t in choice.tokens]}
    return body


async def chat_chunks(
    req: ChatRequest,
    choices: list[ChatChoice],
    meta: dict,
    usage: dict,
    delay: float,
    error_after: int | None,
    fault_message: str = STAND_IN_FAULT,
) -> AsyncIterator[str]:
    """Yield OpenAI chat chunks: role, content or tool-call deltas, finish, [usage], [DONE].

    Every chunk but the usage one carries ``"usage": null``: TGI always serializes the field
    (``ChatCompletionChunk.usage: Option<Usage>``, ``router/src/lib.rs`` @ ``db931fcf``) and
    OpenAI documents it with ``include_usage`` (huggingface_hub 2.4.0
    ``ChatCompletionInputStreamOptions``: "All other chunks will also include a usage field,
    but with a null value").
    """
    usage_field = {"usage": None}

    def chunk(index: int, delta: dict, finish: str | None = None, logprobs: Any = None) -> str:
        return openai_event(
            {
                **meta,
                "object": "chat.completion.chunk",
                "choices": [
                    {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
                ],
                **usage_field,
            }
        )

    sent = 0
    for choice in choices:
        yield chunk(
            choice.index, {"role": "assistant", "content": "" if choice.tool_call is None else None}
        )
        pieces: list[tuple[dict, Any]] = []
        if choice.tool_call is not None:
            call = choice.tool_call
            pieces.append(
                (
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": call["id"],
                                "type": "function",
                                "function": {"name": call["function"]["name"], "arguments": ""},
                            }
                        ]
                    },
                    None,
                )
            )
            arguments = call["function"]["arguments"]
            for start in range(0, len(arguments), 8):
                fragment = arguments[start : start + 8]
                pieces.append(
                    ({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}, None)
                )
        elif choice.tokens:
            for position, (text, logprob, top) in enumerate(choice.tokens):
                lp = {"content": [chat_logprob_entry(text, logprob, top)]} if req.logprobs else None
                pieces.append(({"content": text.lstrip() if position == 0 else text}, lp))
        elif choice.content:
            for start in range(0, len(choice.content), 8):
                pieces.append(({"content": choice.content[start : start + 8]}, None))
        for delta, lp in pieces:
            await sse.pace(delay)
            if error_after is not None and sent >= error_after:
                yield openai_error_event(fault_message)
                return
            sent += 1
            yield chunk(choice.index, delta, logprobs=lp)
        yield chunk(choice.index, {}, choice.finish_reason)
    if req.include_usage:
        yield openai_event(
            {**meta, "object": "chat.completion.chunk", "choices": [], "usage": usage}
        )
    yield OPENAI_DONE


async def answer_chat(
    request: Request,
    body: dict,
    *,
    model: str,
    surface: Surface,
    admission: Admission,
    headers: dict[str, str],
    context_length: int | None = None,
) -> Response:
    """Serve one chat request on any surface; ``model`` is the id echoed in the answer."""
    surface = speaking_for(surface, request.app.state.profile)
    req = parse_chat(body, surface)
    headers = note_ignored(body, CHAT_KEYS, headers)
    generator: TextGenerator = request.app.state.generator
    prompt_tokens = sum(generator.count_tokens(t) for t in req.texts)
    check_context(prompt_tokens, req.params["max_new_tokens"], context_length, surface)
    choices = build_chat_choices(req, generator, surface)
    usage = chat_usage(req, choices, generator)
    request.app.state.usage.charge(usage["completion_tokens"])
    meta = chat_meta(model, request.app.state.profile)
    options = request.app.state.options
    delay = options.latency_ms_per_token / 1000
    if req.stream:
        chunks = chat_chunks(
            req,
            choices,
            meta,
            usage,
            options.stream_delay_s,
            options.stream_error_after_tokens,
            surface.says(STAND_IN_FAULT, SERVER_ERROR),
        )
        return StreamingResponse(chunks, media_type="text/event-stream", headers=headers)
    if delay:
        await asyncio.sleep(delay * usage["completion_tokens"])
    answer = {
        **meta,
        "object": "chat.completion",
        "choices": [chat_message(c, req) for c in choices],
        "usage": usage,
    }
    if admission.drop:
        return StreamingResponse(broken_body('{"id": "'), headers=headers)
    return JSONResponse(answer, headers=headers)


# --- completions ------------------------------------------------------------------------------


def parse_completion(body: dict, surface: Surface) -> tuple[list[str], dict[str, Any], dict]:
    """Return (prompts, generator parameters, options) of a ``/v1/completions`` body."""
    prompt = body.get("prompt")
    prompts = [prompt] if isinstance(prompt, str) else prompt
    if (
        not isinstance(prompts, list)
        or not prompts
        or not all(isinstance(p, str) and p for p in prompts)
    ):
        raise surface.error("`prompt` must be a non-empty string or a list of them", "prompt")
    if len(prompts) > MAX_PROMPTS:
        raise surface.error(
            f"Number of prompts exceeds the maximum allowed batch size of {MAX_PROMPTS}", "prompt"
        )
    if body.get("suffix") is not None:
        # TGI's exact answer (server.rs @ db931fcf, completions): 422 on its endpoint.
        raise surface.error(
            "Suffix is not supported and can be achieved by preprocessing the prompt.", "suffix"
        )
    stream, include_usage = _stream_flags(body, surface)
    echo = body.get("echo", False)
    if not isinstance(echo, bool):
        raise surface.error("`echo` must be a boolean", "echo")
    n = _integer(body, "n", 1, MAX_N, surface) or 1
    best_of = _integer(body, "best_of", 1, MAX_N, surface)
    if best_of is not None and best_of != n:
        raise surface.error(
            surface.says(
                "`best_of` other than `n` is not implemented by the stand-in; omit it",
                # vLLM's V1 engine (vllm/v1/engine/processor.py, the sampling-params check)
                "vLLM V1 does not yet support best_of.",
            ),
            "best_of",
        )
    logprobs = _integer(body, "logprobs", 0, MAX_TOP_LOGPROBS, surface)
    try:
        params = sampling_parameters(body, surface, DEFAULT_COMPLETION_MAX_TOKENS)
    except StandInError as exc:
        if surface.tgi and stream:
            raise StreamedValidationError(exc.status, exc.body) from None
        raise
    extra = {
        "stream": stream,
        "include_usage": include_usage,
        "echo": echo,
        "n": n,
        "logprobs": logprobs,
        "schema": None,
        "json_object": False,
        "keep_stop": False,
    }
    if surface.tgi:  # TGI's CompletionRequest has none of vLLM's extensions (ignored fields)
        return prompts, params, extra
    extra["schema"], extra["json_object"] = _response_format(body, surface)
    for name in ("ignore_eos", "include_stop_str_in_output"):
        if not isinstance(body.get(name, False), bool):
            raise surface.error(f"`{name}` must be a boolean", name)
    if body.get("ignore_eos"):
        params["min_tokens"] = params["max_new_tokens"]  # the end-of-text token never wins
    extra["keep_stop"] = bool(body.get("include_stop_str_in_output"))
    for name, default in VLLM_UNIMPLEMENTED.items():
        if name in body and body[name] != default:
            raise surface.error(
                surface.says(
                    f"`{name}` is a vLLM parameter the stand-in does not implement; omit it "
                    f"(or send its default, {json.dumps(default)})",
                    UNSUPPORTED_PARAMETER.format(name),
                ),
                name,
                "unsupported_parameter",
            )
    return prompts, params, extra


def _completion_finish(gen: Any, surface: Surface, stream: bool) -> str:
    """Return ``finish_reason``: OpenAI's ``stop``/``length``, or TGI's own words on its endpoint.

    TGI's ``/v1/completions`` answers ``details.finish_reason.format(true)`` (``eos_token`` →
    ``stop``; ``stop_sequence`` and ``length`` unchanged) and its stream's last chunk the raw
    ``eos_token``/``stop_sequence``/``length`` (``router/src/server.rs``, ``lib.rs`` @
    ``db931fcf``).
    """
    if not surface.tgi:
        return _finish(gen)
    if gen.finish_reason == "eos_token" and not stream:
        return "stop"
    return gen.finish_reason


def _completion_logprobs(pieces: list, offset: int) -> dict[str, Any]:
    """OpenAI's legacy completions ``logprobs``: tokens, token_logprobs, top_logprobs, offsets."""
    offsets, position = [], offset
    for text, _, _ in pieces:
        offsets.append(position)
        position += len(text)
    return {
        "tokens": [text for text, _, _ in pieces],
        "token_logprobs": [round(lp, 4) for _, lp, _ in pieces],
        "top_logprobs": [{t: round(lp, 4) for t, lp in top} for _, _, top in pieces],
        "text_offset": offsets,
    }


def _structured_completion(
    generator: TextGenerator, prompt: str, params: dict[str, Any], extra: dict, surface: Surface
) -> tuple[list, int, str]:
    """Return (pieces, completion tokens, finish_reason) of a ``response_format`` completion.

    vLLM's completions take ``response_format`` (json_object or json_schema) as its chat does;
    the value is built as for chat (``structured``) and cut at ``max_tokens`` (``cut_to_tokens``).
    """
    seed = params.get("seed")
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31))
    words = _words(generator, seed, prompt)
    try:
        value = (
            generate_value(extra["schema"], seed, words, prompt)
            if extra["schema"] is not None
            else generate_json_object(seed, words, prompt, marked=not surface.plain)
        )
    except UnsupportedSchema as exc:
        raise schema_error(surface, exc, "response_format") from None
    text, size, cut = cut_to_tokens(dumps(value), params["max_new_tokens"])
    return token_pieces(text), size, "length" if cut else "stop"


async def answer_completion(
    request: Request,
    body: dict,
    *,
    model: str,
    surface: Surface,
    admission: Admission,
    headers: dict[str, str],
    context_length: int | None = None,
) -> Response:
    """Serve one ``/v1/completions`` request on any surface."""
    surface = speaking_for(surface, request.app.state.profile)
    try:
        prompts, params, extra = parse_completion(body, surface)
    except StreamedValidationError as exc:
        return StreamingResponse(
            _one_event(tgi_openai_error_event(exc.message)),
            media_type="text/event-stream",
            headers=headers,
        )
    known = COMPLETION_KEYS - {"top_k"} if surface.tgi else COMPLETION_KEYS
    headers = note_ignored(body, known, headers)
    generator: TextGenerator = request.app.state.generator
    for prompt in prompts:
        check_context(
            generator.count_tokens(prompt), params["max_new_tokens"], context_length, surface
        )
    choices, prompt_tokens, completion_tokens = [], 0, 0
    for p_index, prompt in enumerate(prompts):
        prompt_tokens += generator.count_tokens(prompt)
        for c_index, choice_params in enumerate(choice_seeds(params, extra["n"])):
            if extra["schema"] is not None or extra["json_object"]:
                pieces, size, finish = _structured_completion(
                    generator, prompt, choice_params, extra, surface
                )
                completion_tokens += size
                finishes = (finish, finish)
            else:
                top_n = max(extra["logprobs"] or 0, 1) if extra["logprobs"] is not None else 0
                gen = generator.generate(
                    prompt,
                    choice_params,
                    choice_params.get("min_tokens", 0),
                    top_n=top_n,
                    stop_anywhere=not surface.tgi,
                )
                pieces = visible_pieces(
                    gen,
                    choice_params.get("stop") or [],
                    extra["logprobs"] or 0,
                    surface,
                    keep_stop=extra["keep_stop"],
                )
                completion_tokens += len(gen.tokens)
                finishes = (
                    _completion_finish(gen, surface, stream=False),
                    _completion_finish(gen, surface, stream=True),
                )
            prefix = prompt if extra["echo"] else ""
            logprobs = None
            if extra["logprobs"] is not None:
                logprobs = _completion_logprobs(pieces, len(prefix))
            choices.append(
                {
                    "text": prefix + "".join(p[0] for p in pieces),
                    "index": p_index * extra["n"] + c_index,
                    "logprobs": logprobs,
                    "finish_reason": finishes[0],
                    "_stream_finish": finishes[1],
                    "_pieces": pieces,
                    "_prefix": prefix,
                    "_logprobs": extra["logprobs"] is not None,
                }
            )
    request.app.state.usage.charge(completion_tokens)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    profile = request.app.state.profile
    meta = {
        "id": profile.response_id("cmpl"),
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": profile.system_fingerprint,
    }
    options = request.app.state.options
    delay = options.latency_ms_per_token / 1000
    if extra["stream"]:
        events = completion_chunks(
            choices,
            meta,
            usage,
            extra["include_usage"],
            options.stream_delay_s,
            options.stream_error_after_tokens,
            surface.says(STAND_IN_FAULT, SERVER_ERROR),
            tgi=surface.tgi,
        )
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)
    if delay:
        await asyncio.sleep(delay * completion_tokens)
    answer = {
        **meta,
        "choices": [{k: v for k, v in c.items() if not k.startswith("_")} for c in choices],
        "usage": usage,
    }
    if admission.drop:
        return StreamingResponse(broken_body('{"id": "'), headers=headers)
    return JSONResponse(answer, headers=headers)


async def completion_chunks(
    choices: list[dict],
    meta: dict,
    usage: dict,
    include_usage: bool,
    delay: float,
    error_after: int | None,
    fault_message: str = STAND_IN_FAULT,
    *,
    tgi: bool = False,
) -> AsyncIterator[str]:
    """Yield completion chunks (one per token, the last with finish_reason), [usage], [DONE].

    A fault mid-stream is OpenAI's ``{"error": {"message", "type"}}`` event, or on TGI
    (``tgi``) its own ``{"error": {"message", "http_status_code": 422}}`` with the message of
    ``InferError::GenerationError`` (``router/src/infer/mod.rs`` @ ``db931fcf``,
    ``into_openai_event``).
    """
    usage_field = {"usage": None} if include_usage else {}

    def chunk(index: int, text: str, finish: str | None, logprobs: Any = None) -> str:
        return openai_event(
            {
                **meta,
                "choices": [
                    {"text": text, "index": index, "logprobs": logprobs, "finish_reason": finish}
                ],
                **usage_field,
            }
        )

    sent = 0
    for choice in choices:
        pieces = list(choice["_pieces"])
        offset = len(choice["_prefix"])
        if choice["_prefix"]:
            await sse.pace(delay)
            yield chunk(choice["index"], choice["_prefix"], None)
        for piece in pieces:
            await sse.pace(delay)
            if error_after is not None and sent >= error_after:
                if tgi:
                    yield tgi_openai_error_event(
                        f"Request failed during generation: {fault_message}"
                    )
                else:
                    yield openai_error_event(fault_message)
                return
            sent += 1
            logprobs = _completion_logprobs([piece], offset) if choice["_logprobs"] else None
            offset += len(piece[0])
            yield chunk(choice["index"], piece[0], None, logprobs)
        yield chunk(choice["index"], "", choice["_stream_finish"])
    if include_usage:
        yield openai_event({**meta, "choices": [], "usage": usage})
    yield OPENAI_DONE
