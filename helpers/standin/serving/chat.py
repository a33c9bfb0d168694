"""Chat answers (``/v1/chat/completions`` on every surface), built with ``openai.types.chat``.

Prose answers start their own sentence about the last user message and, without
``max_tokens``, end after their last whole sentence; a tool call's arguments and a structured
answer's values come from the conversation (``serving.structured``); streams are paced per
token (the ``stream_delay_ms`` knob) and can fail midway (``stream_error_after_tokens``).
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageToolCall
from openai.types.chat.chat_completion import Choice, ChoiceLogprobs
from openai.types.chat.chat_completion_token_logprob import ChatCompletionTokenLogprob, TopLogprob

from .. import events as sse
from ..dependencies import Admission
from ..protocol import ChatRequest
from ..textgen import TextGenerator
from .openai import (
    DEFAULT_CHAT_MAX_TOKENS,
    TGI_TOOL_PROMPT,
    Answer,
    Piece,
    Surface,
    check_size,
    cut,
    fail,
    fault_message,
    format_schema,
    ignored,
    parse,
    prose,
    sampling,
    seeded,
    send,
    stream,
    structured,
    usage_of,
    words_about,
)
from .structured import UnsupportedSchema, choose_tool, dumps, generate_value


def whole_sentences(answer: Answer) -> Answer:
    """End an answer cut by the default budget after its last whole sentence, as a reply ends."""
    ends = [i for i, p in enumerate(answer.pieces) if p[0].rstrip().endswith((".", "!", "?"))]
    if answer.finish != "length" or not ends:
        return answer
    pieces = answer.pieces[: ends[-1] + 1]
    return Answer("".join(p[0] for p in pieces), "stop", len(pieces), pieces)


def tool_answer(generator: TextGenerator, tool: Any, topic: str, seed: int, limit: int) -> Answer:
    """Return a tool call whose arguments come from the conversation, cut at ``limit``."""
    parameters = tool.function.parameters
    arguments = generate_value(parameters, seed, words_about(generator, seed, topic), topic)
    text, size, was_cut = cut(dumps(arguments), limit)
    call = ChatCompletionMessageToolCall(
        id="call_" + uuid.uuid4().hex[:24],
        type="function",
        function={"name": tool.function.name, "arguments": text},
    )
    return Answer(None, "length" if was_cut else "tool_calls", size, call=call)


def chat_answers(
    req: ChatRequest, generator: TextGenerator, surface: Surface, marked: bool
) -> list[Answer]:
    """Return the answer's choices (raise the surface's error for a schema it cannot fill)."""
    users = [m.text() for m in req.messages if m.role == "user" and m.text().strip()]
    if not users:
        raise fail(surface, "at least one user message with content is needed", "messages")
    if any(
        isinstance(m.content, list) and any(p.type != "text" for p in m.content)
        for m in req.messages
    ):
        raise fail(
            surface, f"{req.model} is not a multimodal model", "messages", "unsupported_content"
        )
    topic = users[-1].rstrip(" ?!.") or users[-1]
    last_user = req.messages[-1].text() if req.messages[-1].role == "user" else None
    named = getattr(req.tool_choice, "function", None)
    if named and named.name not in [t.function.name for t in req.tools or []]:
        raise fail(
            surface, f"`tool_choice` names {named.name!r}, which is not in `tools`", "tool_choice"
        )
    schema, as_object = format_schema(req.response_format, surface)
    base = sampling(req, surface, DEFAULT_CHAT_MAX_TOKENS)
    answers = []
    for index in range(req.n):
        params = seeded(base, index)
        seed = params.get("seed", secrets.randbits(31))
        tool = choose_tool(req.tools or [], req.tool_choice, last_user)
        try:
            if tool is not None:
                answers.append(tool_answer(generator, tool, topic, seed, params["max_new_tokens"]))
                continue
            if schema is not None or as_object:
                answers.append(
                    structured(
                        generator, schema, topic, seed, params["max_new_tokens"], marked=marked
                    )
                )
                continue
        except UnsupportedSchema as exc:
            raise fail(surface, str(exc), "tools" if tool else "response_format") from None
        top_n = max(req.top_logprobs or 0, 1) if req.logprobs else 0
        answer = prose(generator, topic, params, surface, top_n=top_n, chat=True)
        answer = answer if req.limit else whole_sentences(answer)
        answer.text = (answer.text or "").lstrip()
        answers.append(answer)
    return answers


def prompt_usage(req: ChatRequest, generator: TextGenerator) -> int:
    """Return the prompt's tokens: the messages, plus TGI's tool prompt and tools when offered."""
    tokens = sum(generator.count_tokens(m.text()) for m in req.messages)
    if req.tools and req.tool_choice != "none":
        tools = [t.model_dump() for t in req.tools]
        tokens += generator.count_tokens((req.tool_prompt or TGI_TOOL_PROMPT) + dumps(tools))
    return tokens


def token_logprobs(pieces: list[Piece]) -> list[ChatCompletionTokenLogprob]:
    """Return chat's ``logprobs.content`` entries for ``pieces``."""

    def top(text: str, logprob: float) -> TopLogprob:
        return TopLogprob(token=text, logprob=round(logprob, 4), bytes=list(text.encode()))

    return [
        ChatCompletionTokenLogprob(
            **top(text, lp).model_dump(), top_logprobs=[top(*t) for t in alts]
        )
        for text, lp, alts in pieces
    ]


async def answer_chat(
    request: Request, body: dict, *, model: str, surface: Surface, admission: Admission,
    headers: dict[str, str], context_length: int | None = None,
) -> Response:  # fmt: skip
    """Serve one chat request on any surface; ``model`` is the id echoed in the answer."""
    req = parse(ChatRequest, body, surface)
    generator: TextGenerator = request.app.state.generator
    prompt = prompt_usage(req, generator)
    check_size(surface, sampling(req, surface, DEFAULT_CHAT_MAX_TOKENS), prompt, context_length)
    profile = request.app.state.profile
    answers = chat_answers(req, generator, surface, profile.marks_stand_in)
    usage = usage_of(prompt, sum(a.tokens for a in answers))
    request.app.state.usage.charge(usage.completion_tokens)
    meta = {
        "id": profile.response_id("chatcmpl"), "created": int(time.time()), "model": model,
        "system_fingerprint": profile.system_fingerprint,
    }  # fmt: skip
    headers = ignored(req, headers)
    if req.stream:
        events = chat_events(req, answers, meta, usage, request)
        return stream(events, headers)
    choices = [
        Choice(
            index=i, finish_reason=a.finish,
            logprobs=ChoiceLogprobs(content=token_logprobs(a.pieces)) if req.logprobs else None,
            message={"role": "assistant", "content": a.text}
            | ({"tool_calls": [a.call]} if a.call else {}),
        )
        for i, a in enumerate(answers)
    ]  # fmt: skip
    answer = ChatCompletion(**meta, object="chat.completion", choices=choices, usage=usage)
    return await send(request, answer, admission, headers, usage.completion_tokens)


def chat_deltas(answer: Answer, logprobs: bool) -> list[tuple[dict[str, Any], Any]]:
    """Return one answer's stream deltas: a tool call's name then its arguments by 8
    characters, or the text one token at a time (with its logprobs when asked)."""
    if answer.call is not None:
        call, text = answer.call, answer.call.function.arguments
        first = {
            "index": 0,
            "id": call.id,
            "type": "function",
            "function": {"name": call.function.name, "arguments": ""},
        }
        rest = [
            {"index": 0, "function": {"arguments": text[i : i + 8]}} for i in range(0, len(text), 8)
        ]
        return [({"tool_calls": [d]}, None) for d in [first, *rest]]
    return [
        (
            {"content": p[0].lstrip() if i == 0 else p[0]},
            {"content": [e.model_dump() for e in token_logprobs([p])]} if logprobs else None,
        )
        for i, p in enumerate(answer.pieces)
    ]


async def chat_events(
    req: ChatRequest, answers: list[Answer], meta: dict, usage: CompletionUsage, request: Request
) -> AsyncIterator[str]:
    """Yield chat chunks: role, deltas, finish, [usage], ``[DONE]``; every chunk but the usage
    one carries ``"usage": null``, as TGI serializes it and OpenAI documents it."""
    options = request.app.state.options
    delay, error_after, sent = options.stream_delay_s, options.stream_error_after_tokens, 0

    def chunk(index: int, delta: dict, finish: str | None = None, logprobs: Any = None) -> str:
        choice = {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
        return sse.openai_event(
            ChatCompletionChunk(
                **meta, object="chat.completion.chunk", choices=[choice], usage=None
            ).model_dump(mode="json", exclude_unset=True)
        )

    for index, answer in enumerate(answers):
        yield chunk(index, {"role": "assistant", "content": "" if answer.call is None else None})
        for delta, logprobs in chat_deltas(answer, req.logprobs):
            await sse.pace(delay)
            if error_after is not None and sent >= error_after:
                yield sse.openai_error_event(fault_message(request))
                return
            sent += 1
            yield chunk(index, delta, logprobs=logprobs)
        yield chunk(index, {}, answer.finish)
    if req.include_usage:
        last = ChatCompletionChunk(**meta, object="chat.completion.chunk", choices=[], usage=usage)
        yield sse.openai_event(last.model_dump(mode="json", exclude_unset=True))
    yield sse.OPENAI_DONE
