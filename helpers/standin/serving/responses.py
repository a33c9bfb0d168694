"""The router's Responses API (beta), built with ``openai.types.responses``: a request becomes
the chat request it asks for (function tools and calls as chat's); the answer is a ``Response``
with one ``message`` (``incomplete`` when ``max_output_tokens`` cut it) or ``function_call``, or
``response.*`` events. Not emulated (a 400): other tools and items, ``previous_response_id``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from fastapi import Request

if TYPE_CHECKING:  # imported where a response is built (see serving/__init__)
    from openai.types.responses import Response

from .. import events as sse
from ..protocol import ResponsesRequest, not_emulated, parse
from .openai import Answer, Call, validated, write


def message_of(item: dict[str, Any]) -> dict[str, Any]:
    """Return the chat message of one input item: a message, a function call or its output."""
    kind = item.get("type", "message")
    if kind == "function_call":
        function = {"name": item.get("name"), "arguments": item.get("arguments")}
        call = {"id": item.get("call_id"), "type": "function", "function": function}
        return {"role": "assistant", "tool_calls": [call]}
    if kind == "function_call_output":
        return {"role": "tool", "content": item.get("output")}
    if kind != "message":
        raise not_emulated(f"an input item of type {kind!r}", "input")
    return {"role": item.get("role"), "content": item.get("content")}


def chat_body(req: ResponsesRequest, body: dict[str, Any]) -> dict[str, Any]:
    """Return the chat request a Responses request asks for (sampling fields as they are)."""
    if earlier := req.previous_response_id:
        raise not_emulated(f"`previous_response_id` = {earlier!r}", "previous_response_id")
    for tool in req.tools:
        if tool.type != "function":
            raise not_emulated(f"a tool of type {tool.type!r}", "tools")
    items = [{"role": "user", "content": req.input}] if isinstance(req.input, str) else req.input
    messages = [message_of(i) for i in items]
    if req.instructions is not None:
        messages.insert(0, {"role": "system", "content": req.instructions})
    fmt = req.text.format if req.text else None  # {"type": "json_schema", "schema": ...}
    sampled = {k: body[k] for k in ("temperature", "top_p", "seed") if k in body}
    asked = {"max_tokens": req.max_output_tokens, "response_format": fmt, **sampled}
    choice = req.tool_choice  # a named function: chat's {"type", "function": {"name"}}
    if not isinstance(choice, str):
        choice = {"type": "function", "function": {"name": choice.name}}
    asked["tools"] = [{"function": t.model_dump(exclude_none=True)} for t in req.tools]
    return {"model": req.model, "messages": messages, "tool_choice": choice, **asked}


def respond(request: Request, body: dict, call: Call) -> tuple[ResponsesRequest, Response, Answer]:
    """Return (request, finished response, its answer) for a ``/v1/responses`` body."""
    from openai.types.responses import Response

    req = parse(ResponsesRequest, body, False)
    gen, profile = request.app.state.generator, request.app.state.profile
    chat, prompt = validated(chat_body(req, body), True, call, gen)
    answer = write(chat, gen, False)
    request.app.state.usage.charge(answer.tokens)
    if answer.call:  # chat's tool call: its arguments come from the conversation
        made = {"call_id": answer.call["id"], "name": answer.call["name"], "arguments": answer.text}
        item = {"type": "function_call", **made}
    else:
        text = {"type": "output_text", "text": answer.text, "annotations": []}
        item = {"type": "message", "role": "assistant", "content": [text]}
    item |= {"id": profile.response_id("fc" if answer.call else "msg"), "status": "completed"}
    cut, out = answer.finish == "length", answer.tokens
    usage = {"input_tokens": prompt, "output_tokens": out, "total_tokens": prompt + out}
    usage["input_tokens_details"] = {"cached_tokens": 0, "cache_write_tokens": 0}
    usage["output_tokens_details"] = {"reasoning_tokens": 0}
    response = Response(
        id=profile.response_id("resp"),
        object="response",
        created_at=int(time.time()),
        model=call.model,
        status="incomplete" if cut else "completed",
        incomplete_details={"reason": "max_output_tokens"} if cut else None,
        instructions=req.instructions,
        output=[item],
        parallel_tool_calls=True,
        tool_choice=choice if isinstance(choice := req.tool_choice, str) else choice.model_dump(),
        tools=[t.model_dump(exclude_none=True) for t in req.tools],
        usage=usage,
    )
    return req, response, answer


def event(kind: str, number: int, **fields: Any) -> str:
    """Return one Responses stream event (``event:`` line, then its JSON)."""
    data = {"type": kind, "sequence_number": number}
    for name, value in fields.items():
        dump = getattr(value, "model_dump", None)
        data[name] = dump(mode="json", exclude_unset=True) if dump else value
    return f"event: {kind}\n" + sse.openai_event(data)


async def response_events(response: Response, answer: Answer, delay: float) -> AsyncIterator[str]:
    """Yield the ``response.*`` events of one answer (text deltas one per token)."""
    number = iter(range(10**9))
    started = response.model_copy(update={"status": "in_progress", "output": [], "usage": None})
    yield event("response.created", next(number), response=started)
    yield event("response.in_progress", next(number), response=started)
    item = response.output[0]
    call = item.type == "function_call"
    update = {"arguments": ""} if call else {"content": []}
    empty = item.model_copy(update={"status": "in_progress", **update})
    yield event("response.output_item.added", next(number), output_index=0, item=empty)
    where, args = {"item_id": item.id, "output_index": 0}, getattr(item, "arguments", "")
    if call:  # the arguments in one delta, as chat streams a tool call
        yield event("response.function_call_arguments.delta", next(number), **where, delta=args)
        yield event("response.function_call_arguments.done", next(number), **where, arguments=args)
    else:
        where, part = {**where, "content_index": 0}, item.content[0]
        empty = part.model_copy(update={"text": ""})
        yield event("response.content_part.added", next(number), **where, part=empty)
        for text in answer.pieces:
            await sse.pace(delay)
            delta = {"delta": text, "logprobs": []}
            yield event("response.output_text.delta", next(number), **where, **delta)
        done = {"text": part.text, "logprobs": []}
        yield event("response.output_text.done", next(number), **where, **done)
        yield event("response.content_part.done", next(number), **where, part=part)
    yield event("response.output_item.done", next(number), output_index=0, item=item)
    kind = "response.completed" if response.status == "completed" else "response.incomplete"
    yield event(kind, next(number), response=response)
