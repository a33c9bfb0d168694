"""Chat and completions answers, plain or streamed, built with ``openai.types``: one code path
(:func:`answer`) for the router, hf-inference, the provider routes and the emulated TGI endpoint
(``Call.tgi``: TGI's rules, 422 envelope, finish reasons and stream errors, ``top_k`` ignored,
stop sequences kept). A chat reply ends after its last whole sentence (``"length"`` only when
``max_tokens`` cuts it); tool arguments and structured values come from the conversation.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel

from ...contract import tgi_violations
from .. import events as sse
from ..body import read_json
from ..dependencies import Admission, broken_body
from ..errors import StandInError
from ..protocol import REPLY_TOKENS, ChatRequest, CompletionRequest, fail, parse
from ..textgen import WORD_RE, TextGenerator
from .structured import UnsupportedSchema, choose_tool, dumps, format_schema, generate_value

STAND_IN_MAX_CONTEXT = 8192
"""The ceiling on prompt + completion where the catalogue gives no context length."""
TGI_SUFFIX = "Suffix is not supported and can be achieved by preprocessing the prompt."
SERVER_ERROR = "The server had an error while processing your request. Sorry about that!"
Req = ChatRequest | CompletionRequest


@dataclass
class Call:
    """Where one request is answered: the model id echoed, its context length, and whether it is
    the emulated TGI endpoint (TGI's rules and words) rather than an OpenAI-style surface."""

    model: str
    admission: Admission
    headers: dict[str, str]
    context: int | None = None
    tgi: bool = False


async def read_object(request: Request, tgi: bool) -> dict[str, Any]:
    """Return the JSON object body, or raise the surface's 4xx."""
    try:
        body = await read_json(request)
    except StandInError as exc:
        raise exc if tgi else StandInError(exc.status, exc.message) from None
    if not isinstance(body, dict):
        raise fail(tgi, "the body must be a JSON object")
    return body


@dataclass
class Answer:
    """The answer: prose (its tokens' texts, ``pieces``), JSON text, or a tool call (``call``:
    its id and name); ``raw_finish`` is TGI's own finish reason (``eos_token``, ``length``…)."""

    text: str
    finish: str
    tokens: int
    pieces: list[str] = field(default_factory=list)
    call: dict[str, str] | None = None
    raw_finish: str = "stop"


def validated(body: dict, chat: bool, call: Call, gen: TextGenerator) -> tuple[Any, int]:
    """Return (request, prompt tokens), or raise: TGI's rules on its endpoint, else the context."""
    tgi = call.tgi
    if tgi and body.get("suffix") is not None:  # TGI refuses it, the live router accepts it
        raise fail(tgi, TGI_SUFFIX)
    req = parse(ChatRequest if chat else CompletionRequest, body, tgi)
    if chat:
        prompt = sum(gen.count_tokens(m.text()) for m in req.messages)
        if req.tools and req.tool_choice != "none":  # the tools are part of the prompt
            prompt += gen.count_tokens(dumps([t.model_dump() for t in req.tools]))
    else:
        prompt = gen.count_tokens(req.prompt)
    params, limit = req.params(tgi), call.context or STAND_IN_MAX_CONTEXT
    problems = tgi_violations(params, input_tokens=prompt) if tgi else []
    if problems:
        raise fail(tgi, problems[0])
    asked = params["max_new_tokens"]
    if not tgi and prompt + asked > limit:
        message = (
            f"This model's maximum context length is {limit} tokens. However, you requested "
            f"{prompt + asked} tokens ({prompt} in the messages, {asked} in the completion). "
            "Please reduce the length of the messages or completion."
        )
        raise fail(tgi, message, "max_tokens", "context_length_exceeded")
    return req, prompt


def json_text(text: str, limit: int, finish: str, call: dict | None = None) -> Answer:
    """Return JSON text as an answer cut after ``limit`` tokens (``"length"``), as vLLM cuts it."""
    ends = [m.end() for m in WORD_RE.finditer(text)]
    if len(ends) > limit:
        ends, finish = ends[:limit], "length"
        text = text[: ends[-1]]
    pieces = [text[a:b] for a, b in zip([0, *ends], ends, strict=False)]
    return Answer(text, finish, len(pieces), pieces, call)


def reply(answer: Answer, limit: int) -> Answer:
    """End a chat reply after its last whole sentence (or where it ended), then cut it at
    ``limit`` with ``"length"`` when it is longer; the reply starts its own sentence."""
    pieces, finish, tokens = answer.pieces, answer.finish, answer.tokens
    ends = [i + 1 for i, p in enumerate(pieces) if p.rstrip().endswith((".", "!", "?"))]
    if finish == "length" and ends:
        pieces, finish, tokens = pieces[: ends[-1]], "stop", ends[-1]
    if len(pieces) > limit:
        pieces, finish = pieces[:limit], "length"
    pieces = [p.lstrip() if i == 0 else p for i, p in enumerate(pieces)]
    return Answer("".join(pieces), finish, min(tokens, limit), pieces)


def conversation(req: ChatRequest, tgi: bool) -> tuple[str, Any]:
    """Return (the topic: the last user message, the tool to call or None), or raise."""
    users = [m.text() for m in req.messages if m.role == "user" and m.text().strip()]
    if not users:
        raise fail(tgi, "at least one user message with content is needed", "messages")
    parts = [p for m in req.messages if isinstance(m.content, list) for p in m.content]
    if any(p.get("type", "text") not in ("text", "input_text", "output_text") for p in parts):
        message = f"{req.model} is not a multimodal model"
        raise fail(tgi, message, "messages", "unsupported_content")
    named = getattr(req.tool_choice, "function", None)
    if named and named.name not in [t.function.name for t in req.tools or []]:
        message = f"`tool_choice` names {named.name!r}, which is not in `tools`"
        raise fail(tgi, message, "tool_choice")
    last_user = req.messages[-1].text() if req.messages[-1].role == "user" else None
    tool = choose_tool(req.tools or [], req.tool_choice, last_user)
    return users[-1].rstrip(" ?!.") or users[-1], tool


def write(req: Req, gen: TextGenerator, tgi: bool) -> Answer:
    """Return the answer: a tool call, a structured value or prose (chat: about its topic)."""
    chat = isinstance(req, ChatRequest)
    topic, tool = conversation(req, tgi) if chat else (req.prompt, None)
    params = req.params(tgi)
    try:
        schema = format_schema(None if tgi else req.response_format)
        if tool is None and schema is None:
            return prose(chat, gen, topic, params, tgi)
        return structured(gen, tool, schema, topic, params)
    except UnsupportedSchema as exc:
        raise fail(tgi, str(exc), "tools" if tool else "response_format") from None


def structured(gen: TextGenerator, tool: Any, schema: Any, topic: str, params: dict) -> Answer:
    """Return a tool call or a structured answer, its values from the conversation."""
    seed, limit = params.get("seed", secrets.randbits(31)), params["max_new_tokens"]
    words = lambda name, n: gen.sentence(f"{topic} {name}", seed + len(name)) or name  # noqa: E731
    call = tool and {"id": "call_" + uuid.uuid4().hex[:24], "name": tool.function.name}
    value = generate_value(tool.function.parameters if tool else schema, seed, words, topic)
    return json_text(dumps(value), limit, "tool_calls" if tool else "stop", call)


def prose(chat: bool, gen: TextGenerator, prompt: str, params: dict, tgi: bool) -> Answer:
    """Return generated text (a chat reply starts its own sentence, see :func:`reply`);
    OpenAI surfaces cut it where a stop string starts (vLLM), TGI keeps the stop."""
    limit = params["max_new_tokens"]
    if chat:  # a reply says something before it ends
        params = {**params, "max_new_tokens": REPLY_TOKENS}
    least = min(8, limit) if chat else 0
    out = gen.generate(prompt, params, least, stop_anywhere=not tgi, fresh=chat)
    pieces = [t.text for t in out.tokens if not t.special]
    text = "".join(pieces)
    found = [text.find(s) for s in params.get("stop") or [] if s and s in text]
    if found and not tgi and out.finish_reason == "stop_sequence":
        keep, starts = min(found), accumulate(map(len, pieces), initial=0)
        pieces = [p[: keep - at] for p, at in zip(pieces, starts, strict=False) if at < keep]
    finish = "length" if out.finish_reason == "length" else "stop"
    answer = Answer("".join(pieces), finish, len(out.tokens), pieces, raw_finish=out.finish_reason)
    return reply(answer, limit) if chat else answer


async def answer(request: Request, body: dict, chat: bool, call: Call) -> Response:
    """Serve one chat (``chat``) or completions request on any surface."""
    gen: TextGenerator = request.app.state.generator
    if call.tgi:  # TGI's completions have no top_k: any value passes
        body = {k: v for k, v in body.items() if k != "top_k"}
    try:
        req, prompt = validated(body, chat, call, gen)
    except StandInError as exc:
        if call.tgi and body.get("stream") is True:  # TGI validates inside the stream
            return stream(iter([sse.tgi_openai_error_event(exc.message)]), call.headers)
        raise
    from openai.types import Completion, CompletionUsage  # imported when used: see serving/__init__
    from openai.types.chat import ChatCompletion

    profile = request.app.state.profile
    said = write(req, gen, call.tgi)
    out = said.tokens
    usage = CompletionUsage(prompt_tokens=prompt, completion_tokens=out, total_tokens=prompt + out)
    request.app.state.usage.charge(out)
    meta = {
        "id": profile.response_id("chatcmpl" if chat else "cmpl"),
        "object": "chat.completion" if chat else "text_completion",
        "created": int(time.time()),
        "model": call.model,
        "system_fingerprint": profile.system_fingerprint,
    }
    if req.stream:
        return stream(events(req, said, meta, usage, request, call.tgi), call.headers)
    kind = ChatCompletion if chat else Completion
    make = kind.model_construct if call.tgi else kind  # TGI's finish reasons are its own
    whole = make(**meta, choices=[choice(said, chat, call.tgi)], usage=usage)
    return await send(request, whole, call.admission, call.headers, out)


def tool_call(a: Answer) -> dict[str, Any]:
    function = {"name": a.call["name"], "arguments": a.text}
    return {"id": a.call["id"], "type": "function", "function": function}


def choice(a: Answer, chat: bool, tgi: bool) -> dict[str, Any]:
    """Return the choice of a plain answer (TGI: ``eos_token`` is worded "stop")."""
    if chat:
        message = {"role": "assistant", "content": None if a.call else a.text}
        calls = {"tool_calls": [tool_call(a)]} if a.call else {}
        return {"index": 0, "finish_reason": a.finish, "message": message | calls, "logprobs": None}
    finish = a.raw_finish.replace("eos_token", "stop") if tgi else a.finish
    return {"index": 0, "text": a.text, "logprobs": None, "finish_reason": finish}


def deltas(a: Answer, chat: bool) -> list[dict[str, Any]]:
    """Return the streamed choice fields: completions' tokens; chat's role, then the tokens (a
    tool call: in one delta, as some providers send it)."""
    if not chat:
        return [{"text": piece} for piece in a.pieces]
    role = {"delta": {"role": "assistant", "content": None if a.call else ""}}
    if a.call is not None:
        return [role, {"delta": {"tool_calls": [{**tool_call(a), "index": 0}]}}]
    return [role, *({"delta": {"content": piece}} for piece in a.pieces)]


async def events(
    req: Req, a: Answer, meta: dict, usage: Any, request: Request, tgi: bool
) -> AsyncIterator[str]:
    """Yield the stream's chunks, one per token, the finish, [usage], ``[DONE]``. Chat chunks
    carry ``"usage": null`` as TGI writes them. A fault midway is OpenAI's error event, or
    TGI's ``{"error": {"message", "http_status_code"}}`` with its raw finish reasons."""
    from openai.types import Completion  # imported when used: see serving/__init__
    from openai.types.chat import ChatCompletionChunk

    options, chat = request.app.state.options, isinstance(req, ChatRequest)
    error_after = options.stream_error_after_tokens
    make = ChatCompletionChunk if chat else Completion.model_construct  # finish_reason: null
    meta = {**meta, "object": "chat.completion.chunk" if chat else "text_completion"}
    extra = {"usage": None} if chat or req.include_usage else {}

    def chunk(fields: dict | None, **more: Any) -> str:
        choices = [{"index": 0, "logprobs": None, **fields}] if fields else []
        one = make(**meta, choices=choices, **(extra | more))
        return sse.openai_event(one.model_dump(mode="json", exclude_unset=True, warnings=False))

    for i, fields in enumerate(deltas(a, chat)):
        sent = i - chat  # tokens sent before this one (chat's first chunk is its role)
        if sent >= 0:
            await sse.pace(options.stream_delay_s)
        if sent >= 0 and error_after is not None and sent >= error_after:
            yield fault_event(request, tgi)
            return
        yield chunk({"finish_reason": None, **fields})
    empty = {"delta": {}} if chat else {"text": ""}
    yield chunk({"finish_reason": a.raw_finish if tgi else a.finish, **empty})
    if req.include_usage:
        yield chunk(None, usage=usage)
    yield sse.OPENAI_DONE


def fault_event(request: Request, tgi: bool) -> str:
    """Return the mid-stream fault: the stand-in's words, or OpenAI's under ``today``."""
    profile = request.app.state.profile
    message = "stand-in fault during generation" if profile.marks_stand_in else SERVER_ERROR
    if tgi:
        return sse.tgi_openai_error_event(f"Request failed during generation: {message}")
    return sse.openai_error_event(message)


async def send(
    request: Request, answer: BaseModel, admission: Admission, headers: dict, tokens: int
) -> Response:
    """Send a finished answer after the per-token latency knob (or drop it, the fault knob)."""
    delay = request.app.state.options.latency_ms_per_token / 1000
    if delay:
        await asyncio.sleep(delay * tokens)
    if admission.drop:
        return StreamingResponse(broken_body('{"id": "'), headers=headers)
    body = answer.model_dump(mode="json", exclude_unset=True, warnings=False)
    return JSONResponse(body, headers=headers)


def stream(events: Any, headers: dict[str, str]) -> StreamingResponse:
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)
