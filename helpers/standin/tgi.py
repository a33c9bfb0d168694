"""TGI's text-generation answers, shared by the classic routes and the emulated endpoint.

Shapes from text-generation-inference ``router/src/lib.rs`` and ``router/src/server.rs`` at
``db931fcf``:

- ``GenerateResponse``: ``{"generated_text", "details"?}``; ``details`` (when ``details`` or
  ``decoder_input_details`` is true) = ``finish_reason``, ``generated_tokens``, ``seed``,
  ``prefill`` (filled only with ``decoder_input_details``), ``tokens``, ``best_of_sequences``
  (only with ``best_of`` > 1), ``top_tokens`` (only with ``top_n_tokens`` > 0).
- ``StreamResponse`` events: ``index``, ``token``, ``top_tokens`` (only when asked),
  ``generated_text`` (last event only) and ``details`` (last event only, and only when
  ``"details": true`` was sent: ``finish_reason``, ``generated_tokens``, ``seed``,
  ``input_length``); a failure mid-stream is one ``{"error", "error_type"}`` event.

``watermark``: applied as TGI applies it (a green list per previous token gets +2.0 before
sampling), with numpy's generator instead of torch's, so a real watermark detector for gpt2
would not recognise the stand-in's green lists. ``adapter_id``: the stand-in loads no LoRA
adapters and, like TGI (``ADAPTER_TO_INDEX.get(adapter_id, 0)`` in ``flash_causal_lm.py``),
answers with the base model.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from . import events as sse
from .dependencies import Admission, broken_body
from .errors import validation_error
from .events import tgi_event
from .profiles import Profile
from .serving.grammar import GrammarUnsupported, json_answer, regex_answer
from .textgen import Continuation, TextGenerator, Token, uses_sampling
from .validation import GenerateCall

GRAMMAR_UNSUPPORTED = "grammar is not supported by the stand-in: {0}"


def stream_fault(profile: Profile) -> str:
    """Return the injected stream fault's reason: named as the stand-in's, or under a profile
    that marks nothing, a shard's ``Server error: transport error`` (as TGI reports a lost
    shard; users quote it in TGI's issues)."""
    return "stand-in fault" if profile.marks_stand_in else "Server error: transport error"


"""The stand-in's own 422 for a grammar it cannot honour (TGI itself would honour it)."""

_PIECES = re.compile(r"\s*[A-Za-z0-9]+|\s*[^\sA-Za-z0-9]|\s+")


def _grammar_tokens(generator: TextGenerator, text: str) -> list[Token]:
    """Split constrained text into tokens (forced choices: log-prob 0.0)."""
    tokens = []
    for piece in _PIECES.findall(text):
        word = piece.strip()
        known = generator.model.ids_of([word])[0] if word else None
        tokens.append(Token(generator.token_id(piece, known), piece, 0.0))
    return tokens


def _words_about(generator: TextGenerator, seed: int, about: str = ""):
    """Return ``words(topic, n)``: one whole corpus sentence about ``about`` and ``topic``."""

    def words(topic: str, n: int) -> str:
        return generator.sentence(f"{about} {topic}", seed) or "text"

    return words


def _constrained(generator: TextGenerator, call: GenerateCall) -> Continuation:
    params = call.parameters
    sampling = uses_sampling(params, call.parameters_given)
    seed = params.get("seed")
    if sampling and seed is None:
        seed = secrets.randbits(63)
    grammar = call.grammar or {}
    fixed = int(seed) if sampling else 0
    try:
        if grammar["kind"] == "json":
            words = _words_about(generator, fixed, call.inputs)
            text = json_answer(grammar["schema"], words, fixed, call.inputs)
        else:
            text = regex_answer(grammar["pattern"], generator.model.words[1:], fixed)
    except GrammarUnsupported as exc:
        raise validation_error(GRAMMAR_UNSUPPORTED.format(exc)) from None
    result = Continuation(
        prompt=call.inputs, seed=int(seed) if sampling else None, input_length=call.input_length
    )
    if params.get("decoder_input_details"):
        result.prefill = generator.prefill(call.inputs, params.get("truncate"))
    limit = int(params.get("max_new_tokens") or 10**9)
    stops = [s for s in params.get("stop") or [] if s]
    so_far = ""
    for token in _grammar_tokens(generator, text):
        if len(result.tokens) >= limit:
            result.finish_reason = "length"
            return result
        result.tokens.append(token)
        so_far += token.text
        if any(so_far.endswith(s) for s in stops):
            result.finish_reason = "stop_sequence"
            return result
    if len(result.tokens) >= limit:
        result.finish_reason = "length"
        return result
    result.tokens.append(Token(0, "", 0.0, special=True))
    result.finish_reason = "eos_token"
    return result


def run(generator: TextGenerator, call: GenerateCall) -> Continuation:
    """Return the Continuation TGI would produce for a validated call."""
    params = call.parameters if call.parameters_given else None
    if call.grammar is not None:
        return _constrained(generator, call)
    best_of = call.parameters.get("best_of") or 1
    if best_of > 1 and not call.stream:
        return generator.generate_best_of(call.inputs, call.parameters, best_of)
    return generator.generate(call.inputs, params)


def output_text(call: GenerateCall, gen: Continuation, full_default: bool) -> str:
    """Return ``generated_text``: the prompt is prepended when ``return_full_text``."""
    full = call.parameters.get("return_full_text")
    if full is None:
        full = full_default
    return (call.inputs + gen.text) if full else gen.text


def _top_tokens(gen: Continuation) -> list[list[dict[str, Any]]]:
    return [[alt.to_dict() for alt in token.top] for token in gen.tokens]


def details(call: GenerateCall, gen: Continuation, full_default: bool) -> dict[str, Any]:
    """Return TGI's ``Details`` object for a non-streamed answer."""
    out: dict[str, Any] = {
        "finish_reason": gen.finish_reason,
        "generated_tokens": len(gen.tokens),
        "seed": gen.seed,
        "prefill": [t.to_prefill_dict() for t in gen.prefill],
        "tokens": [t.to_dict() for t in gen.tokens],
    }
    if gen.best_of_sequences:
        out["best_of_sequences"] = [
            {
                "generated_text": output_text(call, other, full_default),
                "finish_reason": other.finish_reason,
                "generated_tokens": len(other.tokens),
                "seed": other.seed,
                "prefill": [t.to_prefill_dict() for t in other.prefill],
                "tokens": [t.to_dict() for t in other.tokens],
                **(
                    {"top_tokens": _top_tokens(other)}
                    if call.parameters.get("top_n_tokens")
                    else {}
                ),
            }
            for other in gen.best_of_sequences
        ]
    if call.parameters.get("top_n_tokens"):
        out["top_tokens"] = _top_tokens(gen)
    return out


def response(call: GenerateCall, gen: Continuation, full_default: bool) -> dict[str, Any]:
    """Return TGI's ``GenerateResponse`` (one item of the classic route's list)."""
    item: dict[str, Any] = {"generated_text": output_text(call, gen, full_default)}
    if call.parameters.get("details") or call.parameters.get("decoder_input_details"):
        item["details"] = details(call, gen, full_default)
    return item


def stream_error(message: str, error_type: str = "generation") -> str:
    """Return one TGI error event (``{"error", "error_type"}``)."""
    return tgi_event({"error": message, "error_type": error_type})


async def stream_events(
    call: GenerateCall,
    gen: Continuation,
    full_default: bool,
    delay: float = 0.0,
    error_after: int | None = None,
    fault: str = "stand-in fault",
) -> AsyncIterator[str]:
    """Yield TGI stream events: ``data:{…}``, details on the last one only when asked.

    With ``error_after``, an error event replaces the rest of the stream, as TGI sends one:
    ``Request failed during generation: {fault}`` (TGI's ``InferError::GenerationError``).
    """
    last = len(gen.tokens) - 1
    want_details = bool(call.parameters.get("details"))
    want_top = bool(call.parameters.get("top_n_tokens"))
    for index, token in enumerate(gen.tokens):
        await sse.pace(delay)
        if error_after is not None and index >= error_after:
            yield stream_error(f"Request failed during generation: {fault}")
            return
        event: dict[str, Any] = {"index": index + 1, "token": token.to_dict()}
        if want_top:
            event["top_tokens"] = [alt.to_dict() for alt in token.top]
        event["generated_text"] = output_text(call, gen, full_default) if index == last else None
        event["details"] = None
        if index == last and want_details:
            event["details"] = {
                "finish_reason": gen.finish_reason,
                "generated_tokens": len(gen.tokens),
                "seed": gen.seed,
                "input_length": gen.input_length,
            }
        yield tgi_event(event)


def _headers(request: Request, admission: Admission, gen: Continuation) -> dict[str, str]:
    """Charge the generation; return TGI's headers (``x-compute-*``, token counts), plus the
    stand-in's ``x-standin-credits-left-usd`` where the profile marks answers."""
    seconds, credits_left = request.app.state.usage.charge(len(gen.tokens))
    profile: Profile = request.app.state.profile
    headers = {
        **admission.headers,
        "x-compute-type": profile.compute_type,
        "x-compute-time": f"{seconds:.3f}",
        "x-prompt-tokens": str(gen.input_length),
        "x-generated-tokens": str(len(gen.tokens)),
    }
    if credits_left is not None and profile.marks_stand_in:
        headers["x-standin-credits-left-usd"] = f"{credits_left:.6f}"
    return headers


async def serve(
    request: Request, admission: Admission, call: GenerateCall, *, full_default: bool,
    as_list: bool, extra_headers: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """Generate for ``call`` and answer as TGI: a stream, or one answer (in a list: ``as_list``).

    Knobs: ``latency_ms_per_token``, ``stream_delay_ms``, ``stream_error_after_tokens`` and the
    "drop" fault (the answer starts, then the connection breaks).
    """
    options = request.app.state.options
    gen = run(request.app.state.generator, call)
    headers = {**_headers(request, admission, gen), **(extra_headers or {})}
    if call.stream:
        fault = stream_fault(request.app.state.profile)
        events = stream_events(
            call, gen, full_default, options.stream_delay_s, options.stream_error_after_tokens, fault
        )  # fmt: skip
        headers["X-Accel-Buffering"] = "no"
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)
    if options.latency_ms_per_token:
        await asyncio.sleep(options.latency_ms_per_token / 1000.0 * len(gen.tokens))
    if admission.drop:
        start = '[{"generated_text": "' if as_list else '{"generated_text": "'
        return StreamingResponse(broken_body(start), headers=headers)
    answer = response(call, gen, full_default)
    return JSONResponse([answer] if as_list else answer, headers=headers)
