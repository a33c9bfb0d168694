"""The router's Responses API (beta), built with ``openai.types.responses``.

hub-docs ``docs/inference-providers/guides/responses-api.md`` (since ``cc69fc55``) documents
``client.responses.create(model=..., instructions=..., input=...)`` with ``input`` a string or
a list of items, ``stream=True`` for ``response.*`` events, function ``tools`` and structured
output (``text.format``). The stand-in answers with the chat machinery (same text, tool
arguments, structured values): a ``Response`` whose ``output`` is one ``message`` (an
``output_text`` part) or one ``function_call``; ``status`` ``incomplete`` with
``incomplete_details.reason`` ``max_output_tokens`` when the limit cut the answer. A stream is
``event: <type>`` / ``data: {json}`` pairs, ``response.created`` … one
``response.output_text.delta`` per token (paced) … ``response.completed``.

Not emulated (a clear 400 saying so; the live service accepts them): built-in and MCP tools,
``previous_response_id`` (the stand-in stores nothing), image and file inputs.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from openai.types.responses import (
    Response,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseUsage,
)
from openai.types.responses.response_usage import InputTokensDetails, OutputTokensDetails

from .. import events as sse
from ..protocol import ChatRequest, ResponsesRequest
from .chat import chat_answers, prompt_usage
from .openai import Answer, Surface, openai_error, parse

TEXT_PARTS = ("input_text", "output_text", "text")


def not_emulated(what: str, param: str):
    return openai_error(
        400, f"{what} is not emulated by the stand-in (the live service accepts it)", param
    )


def message_of(item: dict[str, Any]) -> dict[str, Any]:
    """Return the chat message for one input item: a message, a function call or its output."""
    kind = item.get("type", "message")
    if kind == "function_call":
        return {"role": "assistant", "content": f"{item.get('name')}({item.get('arguments')})"}
    if kind == "function_call_output":
        return {"role": "tool", "content": str(item.get("output", ""))}
    if kind != "message":
        raise not_emulated(f"an input item of type {kind!r}", "input")
    content = item.get("content")
    if isinstance(content, list):
        if any(not isinstance(p, dict) or p.get("type") not in TEXT_PARTS for p in content):
            raise not_emulated("an input part other than text", "input")
        content = " ".join(str(p.get("text", "")) for p in content)
    return {"role": item.get("role"), "content": content}


def chat_request(req: ResponsesRequest, surface: Surface) -> ChatRequest:
    """Return the chat request a Responses request asks for."""
    if req.previous_response_id is not None:
        raise not_emulated("`previous_response_id`", "previous_response_id")
    items = [{"role": "user", "content": req.input}] if isinstance(req.input, str) else req.input
    messages = [message_of(i) for i in items]
    if req.instructions is not None:
        messages.insert(0, {"role": "system", "content": req.instructions})
    tools = []
    for tool in req.tools:
        if tool.get("type") != "function":
            raise not_emulated(f"a tool of type {tool.get('type')!r}", "tools")
        tools.append(
            {
                "type": "function",
                "function": {
                    k: tool[k] for k in ("name", "description", "parameters") if k in tool
                },
            }
        )
    choice = req.tool_choice
    if not isinstance(choice, str):
        choice = {"type": "function", "function": {"name": choice.name}}
    fmt = (req.text.format if req.text else None) or {"type": "text"}
    if fmt.get("type") == "json_schema":
        fmt = {
            "type": "json_schema",
            "json_schema": {"name": fmt.get("name", "answer"), "schema": fmt.get("schema")},
        }
    chat = {
        "model": req.model, "messages": messages, "tools": tools or None,
        "tool_choice": choice if tools else None, "response_format": fmt,
        "max_tokens": req.max_output_tokens, "temperature": req.temperature, "top_p": req.top_p,
        "seed": req.seed,
    }  # fmt: skip
    return parse(ChatRequest, chat, surface)


def build(req: ResponsesRequest, model: str, answer: Answer, prompt: int, profile: Any) -> Response:
    """Return the finished ``Response``."""
    cut = answer.finish == "length"
    if answer.call is not None:
        call = answer.call
        item: Any = ResponseFunctionToolCall(
            type="function_call", id=profile.response_id("fc"), call_id=call.id,
            name=call.function.name, arguments=call.function.arguments, status="completed",
        )  # fmt: skip
    else:
        text = ResponseOutputText(type="output_text", text=answer.text or "", annotations=[])
        item = ResponseOutputMessage(
            type="message",
            id=profile.response_id("msg"),
            status="completed",
            role="assistant",
            content=[text],
        )
    choice = req.tool_choice if isinstance(req.tool_choice, str) else req.tool_choice.model_dump()
    usage = ResponseUsage(
        input_tokens=prompt, output_tokens=answer.tokens, total_tokens=prompt + answer.tokens,
        input_tokens_details=InputTokensDetails(cached_tokens=0, cache_write_tokens=0),
        output_tokens_details=OutputTokensDetails(reasoning_tokens=0),
    )  # fmt: skip
    return Response(
        id=profile.response_id("resp"), object="response", created_at=int(time.time()), model=model,
        status="incomplete" if cut else "completed", error=None,
        incomplete_details={"reason": "max_output_tokens"} if cut else None,
        instructions=req.instructions, max_output_tokens=req.max_output_tokens, output=[item],
        parallel_tool_calls=req.parallel_tool_calls, tool_choice=choice, tools=req.tools,
        temperature=1.0 if req.temperature is None else req.temperature,
        top_p=1.0 if req.top_p is None else req.top_p, metadata=req.metadata or {}, usage=usage,
        text={"format": (req.text.format if req.text else None) or {"type": "text"}},
    )  # fmt: skip


def respond(
    request: Request, body: dict, model: str, surface: Surface
) -> tuple[ResponsesRequest, Response, Answer]:
    """Return (request, finished response, its answer) for a ``/v1/responses`` body."""
    req = parse(ResponsesRequest, body, surface)
    chat = chat_request(req, surface)
    generator = request.app.state.generator
    profile = request.app.state.profile
    answer = chat_answers(chat, generator, surface, profile.marks_stand_in)[0]
    request.app.state.usage.charge(answer.tokens)
    return req, build(req, model, answer, prompt_usage(chat, generator), profile), answer


def event(kind: str, number: int, **fields: Any) -> str:
    """Return one Responses stream event (``event:`` line, then its JSON)."""
    data = {"type": kind, "sequence_number": number}
    for name, value in fields.items():
        data[name] = (
            value.model_dump(mode="json", exclude_unset=True)
            if hasattr(value, "model_dump")
            else value
        )
    return f"event: {kind}\n" + sse.openai_event(data)


async def response_events(answer: Response, chat: Answer, delay: float) -> AsyncIterator[str]:
    """Yield the ``response.*`` events of one answer (text deltas one per token)."""
    number = iter(range(10**9))
    started = answer.model_copy(update={"status": "in_progress", "output": [], "usage": None})
    yield event("response.created", next(number), response=started)
    yield event("response.in_progress", next(number), response=started)
    item = answer.output[0]
    empty = item.model_copy(
        update={"status": "in_progress"}
        | ({"content": []} if item.type == "message" else {"arguments": ""})
    )
    yield event("response.output_item.added", next(number), output_index=0, item=empty)
    if item.type == "message":
        where = {"item_id": item.id, "output_index": 0, "content_index": 0}
        part = item.content[0]
        yield event(
            "response.content_part.added",
            next(number),
            **where,
            part=part.model_copy(update={"text": ""}),
        )
        for position, (text, _, _) in enumerate(chat.pieces):
            await sse.pace(delay)
            delta = text.lstrip() if position == 0 else text
            yield event(
                "response.output_text.delta", next(number), **where, delta=delta, logprobs=[]
            )
        yield event("response.output_text.done", next(number), **where, text=part.text, logprobs=[])
        yield event("response.content_part.done", next(number), **where, part=part)
    else:
        where = {"item_id": item.id, "output_index": 0}
        yield event(
            "response.function_call_arguments.delta", next(number), **where, delta=item.arguments
        )
        yield event(
            "response.function_call_arguments.done",
            next(number),
            **where,
            arguments=item.arguments,
            name=item.name,
        )
    yield event("response.output_item.done", next(number), output_index=0, item=item)
    kind = "response.completed" if answer.status == "completed" else "response.incomplete"
    yield event(kind, next(number), response=answer)
