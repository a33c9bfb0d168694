"""The router's Responses API (beta), built with ``openai.types.responses``: a request becomes
the chat request it asks for; the answer is a ``Response`` with one ``message`` (``incomplete``
when ``max_output_tokens`` cut it), or ``response.*`` events, one text delta per token. Not
emulated (a 400 saying so): ``tools``, ``previous_response_id``, input items other than messages.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from openai.types.responses import Response

from .. import events as sse
from ..protocol import ResponsesRequest, not_emulated, parse
from .openai import Answer, Call, validated, write


def chat_body(req: ResponsesRequest, body: dict[str, Any]) -> dict[str, Any]:
    """Return the chat request a Responses request asks for (sampling fields as they are)."""
    for name in ("tools", "previous_response_id"):
        if getattr(req, name):
            raise not_emulated(f"`{name}` = {getattr(req, name)!r}", name)
    items = [{"role": "user", "content": req.input}] if isinstance(req.input, str) else req.input
    for item in items:
        if item.get("type", "message") != "message":
            raise not_emulated(f"an input item of type {item.get('type')!r}", "input")
    messages = [{"role": i.get("role"), "content": i.get("content")} for i in items]
    if req.instructions is not None:
        messages.insert(0, {"role": "system", "content": req.instructions})
    fmt = req.text.format if req.text else None  # {"type": "json_schema", "schema": ...}
    sampled = {k: body[k] for k in ("temperature", "top_p", "seed") if k in body}
    asked = {"max_tokens": req.max_output_tokens, "response_format": fmt, **sampled}
    return {"model": req.model, "messages": messages, "tool_choice": req.tool_choice, **asked}


def respond(request: Request, body: dict, call: Call) -> tuple[ResponsesRequest, Response, Answer]:
    """Return (request, finished response, its answer) for a ``/v1/responses`` body."""
    req = parse(ResponsesRequest, body, False)
    gen, profile = request.app.state.generator, request.app.state.profile
    chat, prompt = validated(chat_body(req, body), True, call, gen)
    answer = write(chat, gen, False)
    request.app.state.usage.charge(answer.tokens)
    text = {"type": "output_text", "text": answer.text, "annotations": []}
    item = {"type": "message", "id": profile.response_id("msg"), "status": "completed"}
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
        output=[item | {"role": "assistant", "content": [text]}],
        parallel_tool_calls=True,
        tool_choice=req.tool_choice,
        tools=[],
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
    empty = item.model_copy(update={"status": "in_progress", "content": []})
    yield event("response.output_item.added", next(number), output_index=0, item=empty)
    where, part = {"item_id": item.id, "output_index": 0, "content_index": 0}, item.content[0]
    empty = part.model_copy(update={"text": ""})
    yield event("response.content_part.added", next(number), **where, part=empty)
    for text in answer.pieces:
        await sse.pace(delay)
        yield event("response.output_text.delta", next(number), **where, delta=text, logprobs=[])
    done = {"text": part.text, "logprobs": []}
    yield event("response.output_text.done", next(number), **where, **done)
    yield event("response.content_part.done", next(number), **where, part=part)
    yield event("response.output_item.done", next(number), output_index=0, item=item)
    kind = "response.completed" if response.status == "completed" else "response.incomplete"
    yield event(kind, next(number), response=response)
