"""``explain(x)``: what an error means and what to do, in two or three sentences.

``x`` is a ``requests.Response``, a ``requests`` exception, one of ``helpers.client.errors``, or
an exception of ``huggingface_hub`` or ``openai``. It is read as this package's error, whose
``cause`` and ``hint`` (``errors.CAUSES``, ``errors.FIXES``) quote what the error carries.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from .client import errors

CONNECTION_CLASSES = {"ConnectionError", "APIConnectionError", "NetworkError", "gaierror"}


def _chain(exc: BaseException | None) -> str:
    """Return the messages of ``exc`` and its causes, joined (openai hides the cause)."""
    said: list[str] = []
    while exc is not None and len(said) < 6:
        said.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    return " | ".join(s for s in said if s)


def as_error(x: Any) -> errors.HFError:
    """Return this package's error for ``x`` (a response or an exception of any client)."""
    if isinstance(x, errors.HFError):
        return x
    response = getattr(x, "response", None) if isinstance(x, BaseException) else x
    if hasattr(response, "status_code"):
        return errors.error_from_response(response)
    if not isinstance(x, BaseException):
        raise TypeError(f"explain() takes a response or an exception, not {type(x).__name__}")
    names = {c.__name__ for c in type(x).__mro__}
    url = None
    with contextlib.suppress(RuntimeError):  # httpx's ``request`` raises it when never set
        url = str(getattr(getattr(x, "request", None), "url", None) or "") or None
    said = _chain(x)
    found = re.search(f"{errors.DNS_FAILURE.pattern}|Connection refused", said)
    said = found.group(0) if found else said[:300]
    if "TextGenerationError" in names:  # huggingface_hub's ValidationError, GenerationError…
        kind = type(x).__name__.removesuffix("Error").lower().replace("incomplete", "")
        return errors.StreamError(str(x), error_type=kind, url=url)
    if any("Timeout" in n for n in names):
        phase = "connect" if "Connect" in type(x).__name__ else "read"
        return errors.RequestTimeoutError(said, phase=phase, url=url)
    if names & CONNECTION_CLASSES:
        return errors.ConnectionFailedError(said, url=url)
    body = getattr(x, "body", None)  # openai.APIError for a streamed error event
    if isinstance(body, dict):
        return errors.error_from_stream_event({"error": body}, url)
    return errors.APIError(said or type(x).__name__, url=url)


def explain(x: Any) -> str:
    """Return what happened and what to do about ``x``, in two or three sentences."""
    error = as_error(x)
    request_id = getattr(error, "request_id", None) if getattr(error, "kind", "") != "ok" else None
    return f"{error.cause} {error.hint}" + (f" Request id: {request_id}." if request_id else "")
