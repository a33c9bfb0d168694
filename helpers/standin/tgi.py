"""TGI's text-generation answers (classic routes, emulated endpoint) in huggingface_hub's
``TextGenerationOutput`` / ``TextGenerationStreamOutput`` types, as ``router/src/lib.rs`` @
``db931fcf`` sends them; a failure mid-stream is one ``{"error", "error_type"}`` event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import huggingface_hub as hf
from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from . import events as sse
from .dependencies import Admission, broken_body
from .schemas import GenerateCall, validate_generate
from .textgen import Continuation, Token


def _wire(value: Any, skipped: tuple[str, ...] = ("details", "best_of_sequences", "top_tokens")):
    """Return a huggingface_hub type (a dict) without the empty fields TGI does not send."""
    return {k: v for k, v in value.items() if v is not None or k not in skipped}


def _token(t: Token, kind: type = hf.TextGenerationOutputToken) -> Any:
    return kind(id=t.id, text=t.text, logprob=round(t.logprob, 4), special=t.special)


def output_text(call: GenerateCall, gen: Continuation) -> str:
    """Return ``generated_text``, the prompt first with ``return_full_text`` (compat: default)."""
    full = call.parameters.get("return_full_text")
    return call.inputs + gen.text if (call.compat if full is None else full) else gen.text


def response(call: GenerateCall, gen: Continuation) -> dict[str, Any]:
    """Return TGI's ``GenerateResponse`` (the compat route answers a list of one)."""
    details = None
    if call.parameters.get("details"):
        details = hf.TextGenerationOutputDetails(
            finish_reason=gen.finish_reason,
            generated_tokens=len(gen.tokens),
            seed=gen.seed,
            prefill=[],
            tokens=[_token(t) for t in gen.tokens],
        )
        details = _wire(details)
    return _wire(hf.TextGenerationOutput(generated_text=output_text(call, gen), details=details))


async def stream_events(
    call: GenerateCall, gen: Continuation, delay: float, error_after: int | None, fault: str
) -> AsyncIterator[str]:
    """Yield TGI's ``StreamResponse`` events, details on the last one only when asked; with
    ``error_after``, ``Request failed during generation: {fault}`` replaces the rest."""
    kind, last = hf.TextGenerationStreamOutputToken, len(gen.tokens) - 1
    for index, token in enumerate(gen.tokens):
        await sse.pace(delay)
        if error_after is not None and index >= error_after:
            message = f"Request failed during generation: {fault}"
            yield sse.tgi_event({"error": message, "error_type": "generation"})
            return
        event = hf.TextGenerationStreamOutput(
            index=index + 1,
            token=_token(token, kind),
            generated_text=output_text(call, gen) if index == last else None,
        )
        if index == last and call.parameters.get("details"):
            event.details = hf.TextGenerationStreamOutputStreamDetails(
                finish_reason=gen.finish_reason,
                generated_tokens=len(gen.tokens),
                seed=gen.seed,
                input_length=gen.input_length,
            )
        yield sse.tgi_event(_wire(event, ("top_tokens",)))


async def serve(
    request: Request, admission: Admission, body: Any, compat: bool = True, stream: bool = False
) -> Response:
    """Validate ``body`` (a 422 before any stream), generate, answer as TGI with its headers; the
    knobs: latency, stream delay and error, the "drop" fault (the answer starts, then breaks)."""
    state, profile = request.app.state, request.app.state.profile
    call = validate_generate(body, state.generator.count_tokens, compat=compat, stream=stream)
    gen = state.generator.generate(call.inputs, call.parameters if call.parameters_given else None)
    seconds, credits_left = state.usage.charge(len(gen.tokens))
    headers = {
        **admission.headers,
        "x-compute-type": profile.compute_type,
        "x-compute-time": f"{seconds:.3f}",
        "x-prompt-tokens": str(gen.input_length),
        "x-generated-tokens": str(len(gen.tokens)),
    }
    if credits_left is not None and profile.marks_stand_in:
        headers["x-standin-credits-left-usd"] = f"{credits_left:.6f}"
    if call.stream:  # a profile that marks nothing reports a lost shard, as TGI does
        fault = "stand-in fault" if profile.marks_stand_in else "Server error: transport error"
        delay, error_after = state.options.stream_delay_s, state.options.stream_error_after_tokens
        events = stream_events(call, gen, delay, error_after, fault)
        headers["X-Accel-Buffering"] = "no"
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)
    if state.options.latency_ms_per_token:
        await asyncio.sleep(state.options.latency_ms_per_token / 1000.0 * len(gen.tokens))
    if admission.drop:
        start = '[{"generated_text": "' if call.compat else '{"generated_text": "'
        return StreamingResponse(broken_body(start), headers=headers)
    answer = response(call, gen)
    return JSONResponse([answer] if call.compat else answer, headers=headers)
