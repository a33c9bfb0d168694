"""One exception per way a call to the inference API can fail, each with a fix.

The hierarchy (each class also derives from the builtin in brackets, so that callers may
catch it naturally; ``except ValueError`` never catches an HTTP failure)::

    HFError                          everything this package raises: message + hint
    ├── ConfigurationError           the set-up is wrong; nothing was sent
    │   ├── MissingTokenError        [RuntimeError] no token, nobody to ask
    │   ├── InsecureTransportError   [ValueError] a token would travel over plain http
    │   └── ModeError                [ValueError] HF_TUTORIAL_MODE is not a mode
    ├── ParameterError               [ValueError] a payload breaks a rule; refused before sending
    └── APIError                     [OSError] a request was sent and failed: status, url, body
        ├── ConnectionFailedError    [ConnectionError] no connection, or it broke
        ├── RequestTimeoutError      [TimeoutError] no connection or no answer in time
        ├── UnexpectedResponseError  2xx, but the body is not what the route promises
        ├── BadRequestError          400
        ├── AuthenticationError      [PermissionError] 401
        ├── PaymentRequiredError     402
        ├── PermissionDeniedError    [PermissionError] 403
        ├── ModelNotFoundError       [LookupError] 404
        ├── EndpointGoneError        410
        ├── PayloadTooLargeError     413
        ├── ValidationError          422 (or 400 with error_type "validation")
        ├── RateLimitError           429
        ├── ServerError              5xx
        │   └── ModelLoadingError    503 with estimated_time
        └── StreamError              an error event after a 200 stream started (status None)
            ├── StreamValidationError      error_type "validation" (also a ValidationError)
            ├── OverloadedError            error_type "overloaded" (also a RateLimitError)
            ├── GenerationError            error_type "generation" (also a ServerError)
            └── IncompleteGenerationError  error_type "incomplete_generation" (also a ServerError)

Only ``APIError`` and its subclasses carry ``status``, ``url``, ``body``, ``headers`` and
``request_id``: a missing token or a refused parameter never had an HTTP answer. The layout
follows ``requests`` (``src/requests/exceptions.py``: one base for HTTP failures, an
``OSError``) and ``httpx`` (``httpx/_exceptions.py``: the tree above). ``error_from_response``
builds the right one from any response, whatever the shape of its body: a JSON object, a
JSON list, a JSON string, plain text, HTML or nothing at all (notebooks/REFERENCES.md,
"Errors"). The stream classes take their names from huggingface_hub 2.4.0
(``inference/_common.py``, ``_parse_text_generation_error``).

A hint mentions the local stand-in only when the stand-in answered (its ``X-Stand-In``
header) or the URL is on this machine; a live user is never told to restart it.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

from ..contract import GPT2, REQUEST_ID_HEADERS, ROUTER_URL, STAND_IN_HEADER
from .urls import is_loopback_host

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConnectionFailedError",
    "EndpointGoneError",
    "GenerationError",
    "HFError",
    "IncompleteGenerationError",
    "InsecureTransportError",
    "MissingTokenError",
    "ModeError",
    "ModelLoadingError",
    "ModelNotFoundError",
    "OverloadedError",
    "ParameterError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ServerError",
    "StreamError",
    "StreamValidationError",
    "UnexpectedResponseError",
    "ValidationError",
    "error_from_parts",
    "error_from_response",
    "error_from_stream_event",
    "message_from_body",
    "parse_retry_after",
    "raise_for_response",
]


class HFError(Exception):
    """Base class of every error this package raises: a message and a hint (also: Exception)."""

    default_hint = "Read the message above; the README's troubleshooting table helps."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint or self.default_hint

    def __str__(self) -> str:
        return f"{self.message}\nHow to fix it: {self.hint}"

    def explain(self) -> str:
        """Return a friendly multi-line explanation, for display in a notebook."""
        return f"{type(self).__name__}\n{self}"


# --- before anything is sent ----------------------------------------------------------------


class ConfigurationError(HFError):
    """The set-up is wrong (token, mode, URL); nothing was sent. No status, url or body."""

    default_hint = "Check .env and the environment variables named above (see .env.example)."


class MissingTokenError(ConfigurationError, RuntimeError):
    """No token was found and nobody could be asked for one (also: RuntimeError)."""

    default_hint = "Put HF_TOKEN=... in a .env file (see .env.example), or use the local mode."


class InsecureTransportError(ConfigurationError, ValueError):
    """A token was about to travel over plain http to another machine (also: ValueError)."""

    default_hint = "Use the https:// URL of the service."


class ModeError(ConfigurationError, ValueError):
    """``HF_TUTORIAL_MODE`` holds something that is not a mode (also: ValueError)."""

    default_hint = "Set HF_TUTORIAL_MODE to local, live or auto (or remove it: auto)."


class ParameterError(HFError, ValueError):
    """A payload breaks one of the server's rules; refused before sending (also: ValueError)."""

    default_hint = "Change the parameter named above so that it follows the rule."

    def __init__(
        self, message: str, *, parameter: str, value: Any, rule: str, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.parameter = parameter
        self.value = value
        self.rule = rule


# --- a request was sent -----------------------------------------------------------------------


def involves_stand_in(url: str | None, headers: dict[str, str] | None = None) -> bool:
    """Return True when the stand-in answered (``X-Stand-In``) or ``url`` is on this machine."""
    lower = {k.lower() for k in (headers or {})}
    if STAND_IN_HEADER.lower() in lower:
        return True
    return bool(url) and is_loopback_host(urlsplit(url).hostname)


class APIError(HFError, OSError):
    """A request was sent and failed (also: OSError, as requests' RequestException).

    ``status`` is the HTTP status, or None when there was no HTTP answer (no connection, a
    timeout, an error event inside a stream that had started with 200).
    """

    default_hint = "Read the server's message above; the README's troubleshooting table helps."
    stand_in_hint: str | None = None
    """The hint when the local stand-in is involved, if it differs from ``default_hint``."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        hint: str | None = None,
        request_id: str | None = None,
        url: str | None = None,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if hint is None and self.stand_in_hint and involves_stand_in(url, headers):
            hint = self.stand_in_hint
        super().__init__(message, hint=hint)
        self.status = status
        self.request_id = request_id
        self.url = url
        self.body = body
        self.headers = dict(headers or {})

    def __str__(self) -> str:
        head = f"HTTP {self.status}: {self.message}" if self.status else self.message
        lines = [head, f"How to fix it: {self.hint}"]
        if self.request_id:
            lines.append(f"Request id: {self.request_id}")
        return "\n".join(lines)


class ConnectionFailedError(APIError, ConnectionError):
    """No connection could be made, or it broke before the answer was complete (also: ConnectionError)."""

    default_hint = (
        "Check the URL and your network connection (a proxy or firewall?), then try again."
    )
    stand_in_hint = (
        "The local stand-in at this address is not answering: run connect() again to start "
        "a fresh one."
    )


class RequestTimeoutError(APIError, TimeoutError):
    """The server did not accept the connection, or did not answer, in time (also: TimeoutError).

    ``phase`` is ``"connect"`` (nobody accepted the connection: a network problem, where a
    longer read timeout cannot help) or ``"read"`` (connected, but no answer in time).
    """

    default_hint = (
        "Retry, or raise the read timeout (timeout=(connect, read)) for long generations."
    )

    def __init__(self, message: str, *, phase: str = "read", **kwargs: Any) -> None:
        if phase == "connect" and kwargs.get("hint") is None:
            kwargs["hint"] = (
                "Nothing accepted the connection in time: check the URL, your network and any "
                "proxy or firewall, then retry. A longer read timeout does not help here."
            )
        super().__init__(message, **kwargs)
        self.phase = phase


class UnexpectedResponseError(APIError):
    """The server answered 2xx but the body is not what the route promises."""

    default_hint = "Print error.body to see what came back; the route or model may be wrong."


class BadRequestError(APIError):
    """400: the server could not use the request (bad JSON, unsupported model for a route)."""

    default_hint = "Check the URL, the model id and that the body is the JSON the route expects."


class AuthenticationError(APIError, PermissionError):
    """401: the token is missing, revoked or unknown (also: PermissionError).

    The service has two bodies: no token at all gives ``Invalid username or password.``; a
    wrong or revoked token gives ``Invalid credentials in Authorization header``.
    """

    default_hint = (
        "Check that HF_TOKEN holds a current token (hf_ followed by 34 letters) from "
        "https://huggingface.co/settings/tokens, sent as 'Authorization: Bearer <token>'."
    )


NO_TOKEN_SENT_HINT = (
    "No token reached the server: send the header 'Authorization: Bearer <token>' with the "
    "token from HF_TOKEN (is HF_TOKEN empty, or the header misspelt?)."
)


class PaymentRequiredError(APIError):
    """402: the account's monthly included credits are spent; not a rate limit."""

    default_hint = (
        "Retrying will not help. Wait for next month's credits or buy credits "
        "(pay-as-you-go); the pricing notebook shows what requests cost."
    )
    stand_in_hint = (
        "Retrying will not help: this stand-in was started with a credit budget, now spent. "
        "Start it again (or without credits=...) to go on."
    )


class PermissionDeniedError(APIError, PermissionError):
    """403: the token is valid but may not do this (also: PermissionError)."""

    default_hint = (
        "Give the token the 'Make calls to Inference Providers' permission "
        "(fine-grained tokens), or create a new one with it."
    )


class ModelNotFoundError(APIError, LookupError):
    """404: no such model or route is served; the router answers plain-text 'Not Found' (also: LookupError)."""

    default_hint = (
        "The model is not served at this URL today. Check the id, and whether a provider "
        "serves it with hf.model_providers(model_id); or pick a model that is served."
    )


def gone_hint(url: str | None) -> str:
    """Return where to go instead of the retired host, per task, naming the model when known."""
    model = "<model id>"
    match = re.search(r"/models/([^?#]+)", url or "")
    named = match.group(1).strip("/") if match else ""
    is_gpt2 = named.split("/")[-1] == GPT2.split("/")[-1]
    if named and not is_gpt2:
        model = named
    router = f"{ROUTER_URL}/hf-inference/models/{model}"
    lines = [
        f"The host is retired; the replacement depends on the task. Classic tasks "
        f"(classification, summarization, embeddings...): POST the same body to {router}. "
        f"LLM text generation: POST an OpenAI completions body (model, prompt, max_tokens) "
        f"to {router}/v1/completions, or use a chat model on {ROUTER_URL}/v1/chat/completions."
    ]
    if is_gpt2:
        lines.insert(
            0,
            "gpt2 is not served by the router today: run it on your own Inference Endpoint "
            "and set HF_ENDPOINT_URL to its base URL.",
        )
    return " ".join(lines)


class EndpointGoneError(APIError):
    """410: the URL was retired (api-inference.huggingface.co); the hint gives the replacement."""

    default_hint = gone_hint(None)

    def __init__(self, message: str, **kwargs: Any) -> None:
        if kwargs.get("hint") is None:
            kwargs["hint"] = gone_hint(kwargs.get("url"))
            if involves_stand_in(kwargs.get("url"), kwargs.get("headers")):
                kwargs["hint"] += (
                    " On the local stand-in, drop the /api-inference.huggingface.co prefix."
                )
        super().__init__(message, **kwargs)


class PayloadTooLargeError(APIError):
    """413: the body is larger than the server accepts (TGI's default limit is 2 MB)."""

    default_hint = "Send a shorter input, or split it into several requests."


class ValidationError(APIError):
    """422: the server rejected a parameter (TGI ``error_type`` "validation"); not a ValueError."""

    default_hint = "Fix the parameter the message names; the payload notebook lists every rule."


class RateLimitError(APIError):
    """429: too many requests; wait ``retry_after`` seconds (when given) before the next one."""

    default_hint = "Wait and retry with backoff, or pace requests to the advertised limit."

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: the service failed; retrying later with backoff usually works."""

    default_hint = "Retry later with exponential backoff; if it persists, report the request id."


class ModelLoadingError(ServerError):
    """503 with ``estimated_time``: the classic cold start of a model being loaded."""

    default_hint = "Wait about estimated_time seconds, then retry."

    def __init__(self, message: str, *, estimated_time: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.estimated_time = estimated_time


class StreamError(APIError):
    """An error event inside a stream that had started with 200; ``status`` is None.

    ``error_type`` is the server's own word for it (TGI: validation, generation, overloaded,
    incomplete_generation; OpenAI-style servers: the error's ``type``).
    """

    default_hint = "The stream stopped with an error; retry the request."

    def __init__(self, message: str, *, error_type: str | None = None, **kwargs: Any) -> None:
        kwargs["status"] = None  # the HTTP status was 200; never invent another
        super().__init__(message, **kwargs)
        self.error_type = error_type


class StreamValidationError(StreamError, ValidationError):
    """error_type "validation" during a stream: a parameter was refused."""

    default_hint = ValidationError.default_hint


class OverloadedError(StreamError, RateLimitError):
    """error_type "overloaded" during a stream: the server is too busy; back off and retry."""

    default_hint = RateLimitError.default_hint


class GenerationError(StreamError, ServerError):
    """error_type "generation" during a stream: the model failed while generating."""

    default_hint = "Retry the request; if it fails again, report it with the request id."


class IncompleteGenerationError(StreamError, ServerError):
    """error_type "incomplete_generation" during a stream: the text stopped before the end."""

    default_hint = "Retry the request; what arrived before the error is incomplete."


STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: ModelNotFoundError,
    410: EndpointGoneError,
    413: PayloadTooLargeError,
    422: ValidationError,
    429: RateLimitError,
}

STREAM_ERROR_CLASSES: dict[str, type[StreamError]] = {
    "validation": StreamValidationError,
    "overloaded": OverloadedError,
    "generation": GenerationError,
    "incomplete_generation": IncompleteGenerationError,
}
"""TGI's ``error_type`` values (``router/src/infer/mod.rs``) → our class."""


def _strip_html(text: str) -> str:
    """Return the title (or the visible text) of an HTML page, squeezed to one line."""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    raw = title.group(1) if title else re.sub(r"<[^>]+>", " ", text)
    return " ".join(html.unescape(raw).split())


def message_from_body(body: Any) -> str | None:
    """Return the server's message from a decoded JSON body of any shape, or None.

    Shapes: ``{"error": str}``, ``{"error": [str, …]}``, ``{"error": {"message": …}}``
    (OpenAI), ``{"error_description": …}``, ``{"errors": [{"message": …}]}``,
    ``{"message": …}``, ``{"detail": …}``, a bare list or a bare string.
    """
    if body is None:
        return None
    if isinstance(body, str):
        return body.strip() or None
    if isinstance(body, (int, float, bool)):
        return str(body)
    if isinstance(body, list):
        parts = [message_from_body(item) for item in body]
        joined = "; ".join(p for p in parts if p)
        return joined or None
    if isinstance(body, dict):
        for key in ("error", "error_description", "message", "detail", "errors", "msg"):
            if key in body:
                found = message_from_body(body[key])
                if found:
                    return found
        return None
    return str(body)


def _decode(text: str, content_type: str) -> tuple[Any, str | None]:
    """Return (decoded JSON or None, message) for a body, whatever it is."""
    stripped = text.strip()
    if not stripped:
        return None, None
    looks_json = "json" in content_type or stripped[:1] in '{["'
    if looks_json:
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
        else:
            return data, message_from_body(data) or " ".join(stripped.split())[:500]
    if "html" in content_type or stripped.lower().startswith(("<!doctype", "<html")):
        return None, _strip_html(stripped) or None
    return None, " ".join(stripped.split())[:500]


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Return the seconds to wait from a ``Retry-After`` value (seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        now = time.time() if now is None else now
        return max(0.0, when.timestamp() - now)
    return max(0.0, seconds)


def error_from_parts(
    status: int,
    text: str,
    headers: dict[str, str] | None = None,
    url: str | None = None,
) -> APIError:
    """Return the exception for an HTTP error, built from its status, body and headers."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    data, message = _decode(text or "", headers.get("content-type", ""))
    message = headers.get("x-error-message") or message or f"HTTP {status} with an empty body"
    request_id = next((headers[h] for h in REQUEST_ID_HEADERS if h in headers), None)
    common: dict[str, Any] = {
        "status": status,
        "request_id": request_id,
        "url": url,
        "body": text,
        "headers": headers,
    }
    if status == 429:
        return RateLimitError(
            message, retry_after=parse_retry_after(headers.get("retry-after")), **common
        )
    if status == 503 and isinstance(data, dict) and "estimated_time" in data:
        try:
            estimated = float(data["estimated_time"])
        except (TypeError, ValueError):
            estimated = None
        return ModelLoadingError(message, estimated_time=estimated, **common)
    if status == 422 or (
        status == 400 and isinstance(data, dict) and data.get("error_type") == "validation"
    ):
        return ValidationError(message, **common)
    if status == 401 and message.strip() == "Invalid username or password.":
        return AuthenticationError(message, hint=NO_TOKEN_SENT_HINT, **common)
    if status in STATUS_CLASSES:
        return STATUS_CLASSES[status](message, **common)
    if status >= 500:
        return ServerError(message, **common)
    return APIError(message, **common)


def error_from_stream_event(event: dict[str, Any], url: str | None = None) -> StreamError:
    """Return the exception for an ``{"error": …}`` event that arrived inside a stream.

    The class is chosen by the event's ``error_type`` (TGI) or ``error.type`` (OpenAI);
    the status stays None, because the response had already started with 200.
    """
    error = event.get("error")
    kind = event.get("error_type") or (error.get("type") if isinstance(error, dict) else None)
    kind = str(kind) if kind else None
    cls = STREAM_ERROR_CLASSES.get(kind or "", StreamError)
    said = message_from_body(event) or "no message"
    message = f"Error during the stream (error_type {kind!r}): {said}"
    return cls(message, error_type=kind, url=url, body=json.dumps(event)[:2000])


def error_from_response(response: Any) -> APIError:
    """Return the exception for a failed ``requests.Response``."""
    try:
        text = response.text
    except Exception:  # a body that cannot be decoded is still an error to report
        text = ""
    return error_from_parts(response.status_code, text, dict(response.headers), response.url)


def raise_for_response(response: Any) -> None:
    """Raise the matching APIError when ``response`` is not a success; else return None."""
    if response.status_code >= 400:
        raise error_from_response(response)
