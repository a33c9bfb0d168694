"""Every error this package raises, flat like requests' and openai-python's::

    HFError                        everything: a message and a hint (how to fix it)
    ├── ConfigurationError         [ValueError] refused before sending: a setting or parameter
    └── APIError                   sent and failed: status (None: no HTTP answer), request_id
        ├── ConnectionFailedError  [ConnectionError] no connection, or it broke
        ├── RequestTimeoutError    [TimeoutError] no connection (phase "connect") or answer in time
        ├── StreamError            an error event inside a stream that started with 200
        ├── BadRequestError        400, 413, 422: the request as written was refused
        ├── AuthenticationError    401, 403: the token is missing, unknown or lacks a permission
        ├── PaymentRequiredError   402: the credits are spent (not a rate limit)
        ├── NotFoundError          404, 410: no such model or route; 410 is a retired host
        ├── RateLimitError         429: too many requests; ``retry_after`` seconds
        └── ServerError            5xx: the service failed; ``estimated_time`` while loading

``error_from_response`` builds the right one from any answer: a JSON string, OpenAI's
``{"error": {"message"}}``, TGI's ``{"error", "error_type"}``, FastAPI's ``detail``, plain text
or an HTML page (notebooks/REFERENCES.md, "Errors").
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import time
from typing import Any

from ..contract import GPT2, MISSING_TOKEN_MESSAGE, REQUEST_ID_HEADERS, ROUTER_URL


class HFError(Exception):
    """Base of every error this package raises: ``message`` and ``hint`` (how to fix it)."""

    default_hint = "Read the message above; the README's troubleshooting table helps."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint or self.default_hint

    def __str__(self) -> str:
        return f"{self.message}\nHow to fix it: {self.hint}"

    def explain(self) -> str:
        """Return the class name, the message and the hint, for display in a notebook."""
        return f"{type(self).__name__}\n{self}"


class ConfigurationError(HFError, ValueError):
    """Refused before sending: a setting or a parameter is wrong; ``parameter`` names it."""

    default_hint = "Check .env and the environment variables named above (see .env.example)."

    def __init__(self, message: str, *, hint: str | None = None, parameter: str | None = None):
        super().__init__(message, hint=hint)
        self.parameter = parameter


class APIError(HFError):
    """A request was sent and failed; ``status`` is None when no HTTP answer came.

    Every attribute below, and a subclass's own (``retry_after``, ``estimated_time``,
    ``error_type``, ``phase``), is a keyword argument.
    """

    default_hint = "Read the server's message above; the README's troubleshooting table helps."
    response: Any = None
    request_id: str | None = None
    url: str | None = None
    body: str | None = None
    retry_after: float | None = None
    estimated_time: float | None = None
    error_type: str | None = None
    phase = "read"

    def __init__(
        self, message: str, *, status: int | None = None, hint: str | None = None, **detail: Any
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        for name, value in detail.items():
            if not hasattr(type(self), name):
                raise TypeError(f"{type(self).__name__} has no {name!r}")
            setattr(self, name, value)
        self.url = self.url or getattr(self.response, "url", None)
        self.headers = dict(getattr(self.response, "headers", None) or {})

    def __str__(self) -> str:
        head = f"HTTP {self.status}: {self.message}" if self.status else self.message
        tail = f"\nRequest id: {self.request_id}" if self.request_id else ""
        return f"{head}\nHow to fix it: {self.hint}{tail}"


class ConnectionFailedError(APIError, ConnectionError):
    default_hint = "Check the URL and your network connection (a proxy or firewall?), then retry."


class RequestTimeoutError(APIError, TimeoutError):
    default_hint = "Retry, or raise the read timeout (timeout=(connect, read)) for long answers."


class StreamError(APIError):
    default_hint = "The stream stopped with an error; what arrived before it is incomplete. Retry."


class BadRequestError(APIError):
    default_hint = "Fix what the message names: the URL, the model id or a parameter."


class AuthenticationError(APIError):
    default_hint = "Check that HF_TOKEN holds a current token from huggingface.co/settings/tokens."


class PaymentRequiredError(APIError):
    default_hint = "Buy credits or wait for next month's; a stand-in with credits_usd: restart it."


class NotFoundError(APIError):
    default_hint = "The model is not served at this URL today: check the id, or pick a served one."


class RateLimitError(APIError):
    default_hint = "Wait and retry with backoff, or pace requests to the advertised limit."


class ServerError(APIError):
    default_hint = "Retry later with exponential backoff; if it persists, report the request id."


STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    413: BadRequestError,
    422: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    402: PaymentRequiredError,
    404: NotFoundError,
    410: NotFoundError,
    429: RateLimitError,
}
STATUS_HINTS = {
    403: "Give the token the 'Make calls to Inference Providers' permission (fine-grained "
    "tokens), or create a new one with it.",
    413: "Send a shorter input, or split it into several requests (TGI's limit is 2 MB).",
}
NO_TOKEN_SENT_HINT = (
    "No token reached the server: send 'Authorization: Bearer <token>' with the token from "
    "HF_TOKEN (is HF_TOKEN empty, or the header misspelt?)."
)


def gone_hint(url: str | None) -> str:
    """Return where to go instead of the retired host, naming the model when the URL has one."""
    match = re.search(r"/models/([^?#]+)", url or "")
    named = match.group(1).strip("/") if match else ""
    is_gpt2 = named.split("/")[-1] == GPT2.split("/")[-1]
    router = f"{ROUTER_URL}/hf-inference/models/{named if named and not is_gpt2 else '<model>'}"
    hint = (
        f"The host is retired. Classic tasks: POST the same body to {router}. LLMs: an OpenAI "
        f"body to {router}/v1/completions, or a chat model on {ROUTER_URL}/v1/chat/completions."
    )
    return (
        "gpt2 is not served by the router today: run it on an Inference Endpoint. "
        if is_gpt2
        else ""
    ) + hint


def message_from_body(body: Any) -> str | None:
    """Return the server's message from a decoded JSON body of any shape, or None."""
    if body is None or isinstance(body, (bool, int, float)):
        return None if body is None else str(body)
    if isinstance(body, str):
        return body.strip() or None
    if isinstance(body, list):
        return "; ".join(m for m in map(message_from_body, body) if m) or None
    if isinstance(body, dict):
        keys = ("error", "error_description", "message", "detail", "errors", "msg")
        return next((m for m in map(message_from_body, map(body.get, keys)) if m), None)
    return str(body)


def _decode(text: str, content_type: str) -> tuple[Any, str | None]:
    """Return (the JSON body or None, the message) for a body of any kind."""
    stripped = text.strip()
    if not stripped:
        return None, None
    if "json" in content_type or stripped[:1] in '{["':
        try:
            data = json.loads(stripped)
        except ValueError:
            pass
        else:
            return data, message_from_body(data) or " ".join(stripped.split())[:500]
    if "html" in content_type or stripped.lower().startswith(("<!doctype", "<html")):
        title = re.search(r"<title[^>]*>(.*?)</title>", stripped, re.IGNORECASE | re.DOTALL)
        raw = title.group(1) if title else re.sub(r"<[^>]+>", " ", stripped)
        return None, " ".join(html.unescape(raw).split())[:500] or None
    return None, " ".join(stripped.split())[:500]


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Return the seconds to wait from a ``Retry-After`` value (seconds or an HTTP date)."""
    value = (value or "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_from_parts(
    status: int,
    text: str,
    headers: dict[str, str] | None = None,
    url: str | None = None,
    response: Any = None,
) -> APIError:
    """Return the exception for an HTTP error from its status, body text and headers."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    data, message = _decode(text or "", headers.get("content-type", ""))
    message = headers.get("x-error-message") or message or f"HTTP {status} with an empty body"
    hint = STATUS_HINTS.get(status)
    if status == 410:
        hint = gone_hint(url)
    elif status == 401 and message.strip() == MISSING_TOKEN_MESSAGE:
        hint = NO_TOKEN_SENT_HINT
    request_id = next((headers[h] for h in REQUEST_ID_HEADERS if h in headers), None)
    common = dict(status=status, response=response, request_id=request_id, url=url, body=text)
    if status == 429:
        common["retry_after"] = parse_retry_after(headers.get("retry-after"))
    elif status >= 500:
        loading = data.get("estimated_time") if isinstance(data, dict) else None
        common["estimated_time"] = float(loading) if isinstance(loading, (int, float)) else None
    cls = ServerError if status >= 500 else STATUS_CLASSES.get(status, APIError)
    return cls(message, hint=hint, **common)


def error_from_response(response: Any) -> APIError:
    """Return the exception for a failed ``requests.Response`` (its message, its request id)."""
    try:
        text = response.text
    except Exception:  # a body that cannot be decoded is still an error to report
        text = ""
    return error_from_parts(
        response.status_code, text, dict(response.headers), response.url, response
    )


def error_from_stream_event(event: dict[str, Any], url: str | None = None) -> StreamError:
    """Return the StreamError for an ``{"error": …}`` event, keeping TGI's or OpenAI's type."""
    error = event.get("error")
    kind = event.get("error_type") or (error.get("type") if isinstance(error, dict) else None)
    said = message_from_body(event) or "no message"
    return StreamError(
        f"Error during the stream (error_type {kind!r}): {said}",
        error_type=str(kind) if kind else None,
        url=url,
        body=json.dumps(event)[:2000],
    )
