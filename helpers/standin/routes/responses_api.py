"""The router's Responses API (beta): ``POST /v1/responses``.

hub-docs ``docs/inference-providers/guides/responses-api.md`` (since ``cc69fc55``, 2025-10-09)
documents it for OpenAI's SDKs: ``client.responses.create(model=..., instructions=...,
input=...)`` with ``input`` a string or a list of messages (``developer``/``system``/``user``/
``assistant``, content a string or parts), ``stream=True`` for ``response.*`` events, function
``tools`` and structured output. The stand-in answers it with its chat route's machinery (the
same text, tool arguments and structured values) in the Responses shapes that openai-python
reads (``openai/types/responses/response.py`` and ``response_stream_event.py``):

- a ``response`` object whose ``output`` holds one ``message`` item with an ``output_text``
  part (``response.output_text`` joins them), or ``function_call`` items for a tool call;
  ``status`` ``completed``, or ``incomplete`` with ``incomplete_details.reason``
  ``max_output_tokens`` when the limit cut the answer;
- with ``stream``: ``event: <type>`` / ``data: {json}`` pairs, ``response.created`` …
  ``response.output_text.delta`` (one per token, paced as chat streams are) …
  ``response.completed``, each with a ``sequence_number``.

Not emulated (a clear 400): remote MCP tools and other built-in tools, ``previous_response_id``
(the stand-in stores nothing), image and file inputs.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from .. import events as sse
from ..dependencies import admit
from ..openai_compat import (
    ROUTER,
    ChatChoice,
    build_chat_choices,
    chat_usage,
    openai_error,
    parse_chat,
    read_object,
    speaking_for,
)
from ..openai_openapi import _BAD_OPENAI, _ok, openapi_extra
from .openai import choose_provider, response_headers

router = APIRouter(tags=["OpenAI-compatible"])
RESPONSES_REQUEST = {
    "type": "object",
    "properties": {
        "model": {"type": "string"},
        "input": {"anyOf": [{"type": "string"}, {"type": "array"}]},
        "instructions": {"type": "string"},
        "max_output_tokens": {"type": "integer", "minimum": 1},
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "top_p": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "stream": {"type": "boolean"},
        "tools": {"type": "array"},
        "tool_choice": {},
        "text": {"type": "object", "description": '{"format": {"type": "json_schema", ...}}'},
    },
    "required": ["model", "input"],
}
TEXT_PARTS = ("input_text", "output_text", "text")
UNSUPPORTED = ("previous_response_id", "conversation", "background", "prompt")


def _message(item: Any) -> dict[str, Any]:
    """Return a chat message for one Responses input item (text only), or raise the 400."""
    if not isinstance(item, dict) or item.get("type", "message") != "message":
        kind = item.get("type") if isinstance(item, dict) else type(item).__name__
        raise openai_error(
            400, f"input items of type {kind!r} are not emulated by the stand-in", "input"
        )
    content = item.get("content")
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") not in TEXT_PARTS:
                raise openai_error(
                    400, "the stand-in's models read text only: send input_text parts", "input"
                )
            texts.append(str(part.get("text", "")))
        content = " ".join(texts)
    return {"role": item.get("role"), "content": content}


def _tools(body: dict) -> list[dict] | None:
    """Return the Responses ``tools`` (flat ``{"type": "function", "name", ...}``) in chat's form."""
    tools = body.get("tools")
    if tools is None:
        return None
    if not isinstance(tools, list):
        raise openai_error(400, "`tools` must be a list", "tools")
    converted = []
    for tool in tools:
        if not isinstance(tool, dict) or tool.get("type") != "function":
            kind = tool.get("type") if isinstance(tool, dict) else tool
            raise openai_error(
                400, f"tools of type {kind!r} are not emulated by the stand-in", "tools"
            )
        function = {k: tool[k] for k in ("name", "description", "parameters") if k in tool}
        converted.append({"type": "function", "function": function})
    return converted


def chat_body(body: dict) -> dict[str, Any]:
    """Return the chat request a Responses request asks for (raise the 400 for what is not)."""
    for name in UNSUPPORTED:
        if body.get(name) is not None:
            raise openai_error(400, f"`{name}` is not emulated by the stand-in", name)
    given = body.get("input")
    if isinstance(given, str):
        messages = [{"role": "user", "content": given}]
    elif isinstance(given, list) and given:
        messages = [_message(item) for item in given]
    else:
        raise openai_error(400, "`input` must be a string or a non-empty list of messages", "input")
    instructions = body.get("instructions")
    if instructions is not None:
        if not isinstance(instructions, str):
            raise openai_error(400, "`instructions` must be a string", "instructions")
        messages.insert(0, {"role": "system", "content": instructions})
    chat: dict[str, Any] = {"messages": messages}
    for name in ("temperature", "top_p", "seed"):
        if body.get(name) is not None:
            chat[name] = body[name]
    if body.get("max_output_tokens") is not None:
        chat["max_tokens"] = body["max_output_tokens"]
    tools = _tools(body)
    if tools:
        chat["tools"] = tools
        choice = body.get("tool_choice")
        if isinstance(choice, dict) and choice.get("type") == "function":
            choice = {"type": "function", "function": {"name": choice.get("name")}}
        if choice is not None:
            chat["tool_choice"] = choice
    fmt = text_format(body)
    if fmt["type"] == "json_schema":
        chat["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": fmt.get("name", "answer"), "schema": fmt.get("schema")},
        }
    elif fmt["type"] == "json_object":
        chat["response_format"] = {"type": "json_object"}
    elif body.get("response_format") is not None:  # the form hub-docs' curl example sends
        chat["response_format"] = body["response_format"]
    return chat


def text_format(body: dict) -> dict[str, Any]:
    """Return ``text.format`` (``{"type": "text"}`` when absent), or raise the 400."""
    text = body.get("text")
    if text is None:
        return {"type": "text"}
    fmt = text.get("format") if isinstance(text, dict) else None
    if text == {} or fmt is None:
        return {"type": "text"}
    if not isinstance(fmt, dict) or fmt.get("type") not in ("text", "json_schema", "json_object"):
        raise openai_error(
            400,
            '`text.format` must be {"type": "text"}, {"type": "json_object"} or '
            '{"type": "json_schema", "name": ..., "schema": {...}}',
            "text",
        )
    return fmt


def echoed_tool_choice(body: dict) -> Any:
    """Return the ``tool_choice`` the answer echoes: the request's when valid, else "auto"."""
    choice = body.get("tool_choice")
    if choice in ("none", "auto", "required"):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        return {"type": "function", "name": choice.get("name")}
    return "auto"


def _number_or(value: Any, default: float) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok else default


def output_items(choice: ChatChoice, ids: dict[str, str]) -> list[dict[str, Any]]:
    """Return the ``output`` items of one answer: a message, or a function call."""
    if choice.tool_call is not None:
        call = choice.tool_call
        return [
            {
                "type": "function_call",
                "id": ids["item"],
                "call_id": call["id"],
                "name": call["function"]["name"],
                "arguments": call["function"]["arguments"],
                "status": "completed",
            }
        ]
    return [
        {
            "type": "message",
            "id": ids["item"],
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": choice.content or "", "annotations": []}],
        }
    ]


def response_object(
    body: dict, chat: dict, model: str, choice: ChatChoice, usage: dict, ids: dict[str, str]
) -> dict[str, Any]:
    """Return the Responses API's ``response`` object for a finished answer."""
    cut = choice.finish_reason == "length"
    return {
        "id": ids["response"],
        "object": "response",
        "created_at": int(time.time()),
        "status": "incomplete" if cut else "completed",
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if cut else None,
        "instructions": body.get("instructions"),  # a string or None (checked)
        "max_output_tokens": chat.get("max_tokens"),
        "model": model,
        "output": output_items(choice, ids),
        "parallel_tool_calls": True,
        "temperature": _number_or(body.get("temperature"), 1.0),
        "tool_choice": echoed_tool_choice(body),
        "tools": body.get("tools") or [],  # function tools only (checked)
        "top_p": _number_or(body.get("top_p"), 1.0),
        "text": {"format": text_format(body)},
        "metadata": body.get("metadata") if isinstance(body.get("metadata"), dict) else {},
        "usage": {
            "input_tokens": usage["prompt_tokens"],
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": usage["completion_tokens"],
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": usage["total_tokens"],
        },
    }


def _event(kind: str, number: int, **fields: Any) -> str:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, 'sequence_number': number, **fields})}\n\n"


async def response_events(
    answer: dict[str, Any], choice: ChatChoice, delay: float
) -> AsyncIterator[str]:
    """Yield the ``response.*`` events of one answer (text deltas one per token)."""
    number = iter(range(10**9))
    started = {**answer, "status": "in_progress", "output": [], "usage": None}
    yield _event("response.created", next(number), response=started)
    yield _event("response.in_progress", next(number), response=started)
    item = answer["output"][0]
    if item["type"] == "message":
        empty = {**item, "status": "in_progress", "content": []}
        yield _event("response.output_item.added", next(number), output_index=0, item=empty)
        part = {"type": "output_text", "text": "", "annotations": []}
        where = {"item_id": item["id"], "output_index": 0, "content_index": 0}
        yield _event("response.content_part.added", next(number), **where, part=part)
        for position, (text, _, _) in enumerate(choice.tokens):
            await sse.pace(delay)
            delta = text.lstrip() if position == 0 else text
            yield _event(
                "response.output_text.delta", next(number), **where, delta=delta, logprobs=[]
            )
        text = item["content"][0]["text"]
        yield _event("response.output_text.done", next(number), **where, text=text, logprobs=[])
        yield _event("response.content_part.done", next(number), **where, part=item["content"][0])
    else:
        yield _event("response.output_item.added", next(number), output_index=0, item=item)
    yield _event("response.output_item.done", next(number), output_index=0, item=item)
    kind = "response.completed" if answer["status"] == "completed" else "response.incomplete"
    yield _event(kind, next(number), response=answer)


@router.post(
    "/v1/responses",
    openapi_extra=openapi_extra(RESPONSES_REQUEST),
    responses={200: _ok("response"), 400: _BAD_OPENAI},
)
async def create_response(request: Request) -> Response:
    """The Responses API (beta): a ``response`` object, or ``response.*`` events with ``stream``."""
    admission = admit(request, "chat")
    surface = speaking_for(ROUTER, request.app.state.profile)
    body = await read_object(request, surface)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise openai_error(400, "`model` is required", "model")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise openai_error(400, "`stream` must be a boolean", "stream")
    info, offer = choose_provider(model, request.app.state.profile.hf_inference_llms)
    chat = chat_body(body)
    req = parse_chat(chat, surface)
    generator = request.app.state.generator
    choice = build_chat_choices(req, generator, surface)[0]
    usage = chat_usage(req, [choice], generator)
    request.app.state.usage.charge(usage["completion_tokens"])
    profile = request.app.state.profile
    ids = {
        "response": profile.response_id("resp"),
        "item": profile.response_id("msg" if choice.tool_call is None else "fc"),
    }
    answer = response_object(body, chat, info.id, choice, usage, ids)
    headers = response_headers(request, admission, offer.provider)
    if stream:
        options = request.app.state.options
        events = response_events(answer, choice, options.stream_delay_s)
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)
    return JSONResponse(answer, headers=headers)
