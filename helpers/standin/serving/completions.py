"""``/v1/completions`` answers, built with ``openai.types.Completion``, plain or streamed.

On the emulated TGI endpoint (``Surface.tgi``) the route keeps TGI's ways (``router/src/
server.rs`` @ ``db931fcf``): its validation (``helpers.contract.tgi_violations``; in a stream
the error is one ``{"error": {"message", "http_status_code": 422}}`` event, TGI validating
inside the stream), ``top_k`` ignored (named in ``x-standin-ignored-fields``), ``suffix``
refused in its words, finish reasons ``eos_token``→``stop`` (the stream's last chunk keeps
TGI's raw ``eos_token``/``stop_sequence``/``length``).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from openai.types import Completion, CompletionChoice
from openai.types.completion_choice import Logprobs

from .. import events as sse
from ..dependencies import Admission
from ..errors import StandInError
from ..protocol import MAX_PROMPTS, CompletionRequest
from ..textgen import TextGenerator
from .openai import (
    DEFAULT_COMPLETION_MAX_TOKENS,
    Answer,
    Piece,
    Surface,
    check_size,
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
)

TGI_SUFFIX = "Suffix is not supported and can be achieved by preprocessing the prompt."


def legacy_logprobs(pieces: list[Piece], offset: int) -> Logprobs:
    """Return the completions ``logprobs``: tokens, token_logprobs, top_logprobs, offsets."""
    offsets = [offset + sum(len(p[0]) for p in pieces[:i]) for i in range(len(pieces))]
    return Logprobs(
        tokens=[p[0] for p in pieces],
        token_logprobs=[round(p[1], 4) for p in pieces],
        top_logprobs=[{t: round(lp, 4) for t, lp in p[2]} for p in pieces],
        text_offset=offsets,
    )


def tgi_finish(answer: Answer, surface: Surface, streamed: bool) -> str:
    """Return ``finish_reason`` as the surface words it (TGI: its own words, see above)."""
    if not surface.tgi:
        return answer.finish
    return "stop" if answer.raw_finish == "eos_token" and not streamed else answer.raw_finish


def completion_answers(
    req: CompletionRequest, generator: TextGenerator, surface: Surface, marked: bool
) -> list[tuple[int, str, Answer]]:
    """Return (index, echoed prefix, answer) for every prompt and choice."""
    schema, as_object = format_schema(req.response_format, surface)
    base = sampling(req, surface, DEFAULT_COMPLETION_MAX_TOKENS)
    if req.ignore_eos:
        base["min_tokens"] = base["max_new_tokens"]  # the end-of-text token never wins
    top_n = max(req.logprobs, 1) if req.logprobs is not None else 0
    answers = []
    for p_index, prompt in enumerate(req.prompts):
        for c_index in range(req.n):
            params = seeded(base, c_index)
            if schema is not None or as_object:
                seed = params.get("seed", p_index * req.n + c_index)
                answer = structured(
                    generator, schema, prompt, seed, params["max_new_tokens"], marked=marked
                )
            else:
                answer = prose(generator, prompt, params, surface, top_n=top_n)
            answers.append((p_index * req.n + c_index, prompt if req.echo else "", answer))
    return answers


def validated(
    body: dict, surface: Surface, generator: TextGenerator, context: int | None
) -> CompletionRequest:
    """Return the request, or raise the surface's error (TGI's rules on its endpoint)."""
    req = parse(CompletionRequest, body, surface)
    if req.suffix is not None:
        raise fail(surface, TGI_SUFFIX, "suffix")
    if len(req.prompts) > MAX_PROMPTS or not all(req.prompts):
        raise fail(surface, f"`prompt`: 1 to {MAX_PROMPTS} non-empty prompts", "prompt")
    params = sampling(req, surface, DEFAULT_COMPLETION_MAX_TOKENS)
    for prompt in req.prompts:
        check_size(surface, params, generator.count_tokens(prompt), context)
    return req


async def answer_completion(
    request: Request, body: dict, *, model: str, surface: Surface, admission: Admission,
    headers: dict[str, str], context_length: int | None = None,
) -> Response:  # fmt: skip
    """Serve one ``/v1/completions`` request on any surface."""
    generator: TextGenerator = request.app.state.generator
    tgi_ignores = ("top_k",) if surface.tgi and "top_k" in body else ()  # TGI has no top_k field
    body = {k: v for k, v in body.items() if k not in tgi_ignores}
    try:
        req = validated(body, surface, generator, context_length)
    except StandInError as exc:
        if surface.tgi and body.get("stream") is True:
            return stream(one_event(sse.tgi_openai_error_event(exc.message)), headers)
        raise
    profile = request.app.state.profile
    answers = completion_answers(req, generator, surface, profile.marks_stand_in)
    prompt_tokens = sum(generator.count_tokens(p) for p in req.prompts)
    usage = usage_of(prompt_tokens, sum(a.tokens for _, _, a in answers))
    request.app.state.usage.charge(usage.completion_tokens)
    meta = {
        "id": profile.response_id("cmpl"), "object": "text_completion", "created": int(time.time()),
        "model": model, "system_fingerprint": profile.system_fingerprint,
    }  # fmt: skip
    headers = ignored(req, headers, tgi_ignores)
    if req.stream:
        return stream(completion_events(req, answers, meta, usage, request, surface), headers)
    choices = [  # model_construct: TGI's finish reasons are not in openai's Literal
        CompletionChoice.model_construct(
            index=index, text=prefix + (a.text or ""), finish_reason=tgi_finish(a, surface, False),
            logprobs=legacy_logprobs(a.pieces, len(prefix)) if req.logprobs is not None else None,
        )
        for index, prefix, a in answers
    ]  # fmt: skip
    answer = Completion.model_construct(**meta, choices=choices, usage=usage)
    return await send(request, answer, admission, headers, usage.completion_tokens)


async def one_event(event: str) -> AsyncIterator[str]:
    yield event


async def completion_events(
    req: CompletionRequest, answers: list[tuple[int, str, Answer]], meta: dict[str, Any],
    usage: Any, request: Request, surface: Surface,
) -> AsyncIterator[str]:  # fmt: skip
    """Yield one chunk per token (the echo first), the finish chunk, [usage], ``[DONE]``.

    A fault mid-stream is OpenAI's ``{"error": {"message", "type"}}`` event, or on TGI its
    ``{"error": {"message", "http_status_code": 422}}`` (``InferError::GenerationError``).
    """
    options = request.app.state.options
    delay, error_after, sent = options.stream_delay_s, options.stream_error_after_tokens, 0
    extra = {"usage": None} if req.include_usage else {}

    def chunk(index: int, text: str, finish: str | None = None, logprobs: Any = None) -> str:
        choice = CompletionChoice.model_construct(
            index=index, text=text, logprobs=logprobs, finish_reason=finish
        )
        event = Completion.model_construct(**meta, choices=[choice], **extra)
        return sse.openai_event(event.model_dump(mode="json", exclude_unset=True, warnings=False))

    for index, prefix, answer in answers:
        if prefix:
            await sse.pace(delay)
            yield chunk(index, prefix)
        offset = len(prefix)
        for piece in answer.pieces:
            await sse.pace(delay)
            if error_after is not None and sent >= error_after:
                message = fault_message(request)
                tgi = sse.tgi_openai_error_event(f"Request failed during generation: {message}")
                yield tgi if surface.tgi else sse.openai_error_event(message)
                return
            sent += 1
            logprobs = legacy_logprobs([piece], offset) if req.logprobs is not None else None
            offset += len(piece[0])
            yield chunk(index, piece[0], logprobs=logprobs)
        yield chunk(index, "", tgi_finish(answer, surface, True))
    if req.include_usage:
        last = Completion.model_construct(**meta, choices=[], usage=usage)
        yield sse.openai_event(last.model_dump(mode="json", exclude_unset=True, warnings=False))
    yield sse.OPENAI_DONE
