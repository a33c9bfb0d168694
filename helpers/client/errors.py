"""Every error this package raises, flat like requests' and openai-python's: ``HFError`` (a message
and a hint), ``ConfigurationError`` (a ValueError: refused before sending) and ``APIError`` (sent and
failed), which is a ConnectionFailedError, RequestTimeoutError, StreamError, BadRequestError,
AuthenticationError, PaymentRequiredError, NotFoundError, RateLimitError or ServerError.
``error_from_response`` builds the right one from any answer; ``CAUSES`` and ``FIXES`` say once what
each failure means and how to fix it (an APIError's ``cause`` and ``hint``, and ``explain()``).
"""

from __future__ import annotations

import contextlib
import email.utils
import html
import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

from ..contract import GPT2, MISSING_TOKEN_MESSAGE, PROVIDER_HEADER, REQUEST_ID_HEADERS, ROUTER_URL

DNS_FAILURE = re.compile(
    "Name or service not known|Temporary failure in name resolution|nodename nor servname|getaddrinfo failed|No address associated"
)
# What happened and how to fix it, by kind of failure; formatted with the fields of _fields()
CAUSES = {
    "401-missing": "HTTP 401 '{message}': no token reached the server.",
    "401": "HTTP 401 '{message}': the server does not know this token (mistyped, revoked or expired).",
    "402": "HTTP 402 '{message}': the account's Inference Providers credits are spent (a bill, not a rate limit).",
    "403": "HTTP 403 '{message}': the server refused this token for this request.",
    "404": "HTTP 404 '{message}' from {url}: {model} is not served at this URL, or the path is wrong (the router's 404 body is plain text, not JSON).",
    "407": "HTTP 407 '{message}': a proxy between you and the service asks for its own sign-in.",
    "410": "HTTP 410 from {host}: this old Inference API host is retired ('{message}').",
    "not-supported": "HTTP {status} '{message}': no provider you have enabled serves {model}.",
    "validation": "HTTP {status}: the server refused the request as written: '{message}'.",
    "generation": "The model failed while generating{status_s}: '{message}'.",
    "overloaded": "The model is overloaded{status_s}: '{message}'.",
    "stream": "The stream stopped with an error event after it had started with 200: '{message}'.",
    "429-wait": "HTTP 429 '{message}': too many requests; the answer asks you to wait {seconds:g} s (Retry-After).",
    "429": "HTTP 429 '{message}': too many requests, and the answer gives no Retry-After.",
    "503-loading": "HTTP 503: {model} is loading (estimated {seconds:g} s), a cold start (an Endpoint scaled to zero, or the old API).",
    "5xx": "HTTP {status} '{message}': the service failed or gave up waiting ({provider}).",
    "dns": "The host {host} does not resolve ({message}): no network, a typo in the URL, or the retired api-inference host.",
    "connection": "No connection to {host} ({message}): nothing listens there, or a proxy or a firewall is in the way.",
    "timeout-connect": "Nothing at {host} accepted the connection in time (connect timeout).",
    "timeout-read": "{host} accepted the connection but sent no answer in time (read timeout).",
    "ok": "HTTP {status}: nothing failed.",
    "other": "The request failed{status_s}: '{message}'.",
}
FIXES = {
    "401-missing": "Send 'Authorization: Bearer <token>' with the token from HF_TOKEN (is HF_TOKEN empty, or the header misspelt?).",
    "401": "Create a token at https://huggingface.co/settings/tokens, put it in .env as HF_TOKEN=..., restart the kernel; `python -m helpers.doctor` checks it.",
    "402": "Retrying does not help: buy credits or subscribe to PRO (https://huggingface.co/settings/billing), or work offline with HF_TUTORIAL_MODE=local.",
    "403": "Give the token the 'Make calls to Inference Providers' permission at https://huggingface.co/settings/tokens (fine-grained tokens); a gated model also needs its conditions accepted on its Hub page.",
    "404": "Check the model id and the route; `python -m helpers.doctor --model {model}` asks the Hub who serves it.",
    "407": "Set HTTPS_PROXY=http://user:password@proxy:port (requests and httpx read it), or ask the network's admin.",
    "410": "Send chat to {router}/v1/chat/completions; {classic} (notebook 02).",
    "not-supported": "Pick a model and provider that GET {router}/v1/models lists (choose_provider() does it), or enable a provider at https://huggingface.co/settings/inference-providers.",
    "validation": "Change {param} as the message says and send it again (notebooks 03 and 04 list the rules); the same request gets the same answer.",
    "generation": "Retry once; if it fails again, shorten the prompt or change the parameters (what arrived before the error is incomplete).",
    "overloaded": "Wait and retry with exponential backoff (notebook 06).",
    "stream": "What arrived before it is incomplete: retry the request; a validation error needs the request changed first.",
    "429-wait": "Wait {seconds:g} s before the next request, then pace your requests (notebook 07).",
    "429": "Wait with exponential backoff and jitter (notebook 06) and pace requests below the limit (notebook 07).",
    "503-loading": "Wait about {seconds:g} s and retry, a few times at most.",
    "5xx": "Retry later with exponential backoff (notebook 06), ask for fewer tokens or pick another provider (model:provider); if it persists, report the request id.",
    "dns": "Check the connection and the URL (HF_ROUTER_URL, HF_HUB_URL); code calling api-inference.huggingface.co must call {router}.",
    "connection": "Check the URL, that the server (a stand-in, an Endpoint) runs, and the network (a captive portal needs a sign-in in a browser); `python -m helpers.doctor` tests the hosts.",
    "timeout-connect": "Check the network, a proxy or a firewall; a longer read timeout does not help here.",
    "timeout-read": "Retry, raise the read timeout (requests: timeout=(5, 120)), or stream the answer.",
    "ok": "Nothing to fix.",
    "other": "Read the message; the README's troubleshooting table helps.",
}


class HFError(Exception):
    """Base of every error this package raises: ``message`` and ``hint`` (how to fix it)."""

    default_hint = "Read the message above; the README's troubleshooting table helps."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint, self.cause = message, hint or self.default_hint, message

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
    """A request was sent and failed (``status`` None: no HTTP answer); ``kind`` keys CAUSES and FIXES.

    Every attribute below is a keyword argument."""

    statuses: Any = ()
    response: Any = None
    headers: Any = None
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
        headers = self.headers or getattr(self.response, "headers", None) or {}
        self.headers = {k.lower(): v for k, v in dict(headers).items()}
        self.kind = _kind(self)
        cause, fix = (text[self.kind].format(**_fields(self)) for text in (CAUSES, FIXES))
        self.cause, self.hint = cause, hint or fix

    def __str__(self) -> str:
        head = f"HTTP {self.status}: {self.message}" if self.status else self.message
        tail = f"\nRequest id: {self.request_id}" if self.request_id else ""
        return f"{head}\nHow to fix it: {self.hint}{tail}"


class ConnectionFailedError(APIError, ConnectionError):
    """No connection, or it broke."""


class RequestTimeoutError(APIError, TimeoutError):
    """No connection (``phase`` "connect") or no answer in time."""


class StreamError(APIError):
    """An error event inside a stream that started with 200; ``error_type`` is the server's."""


class BadRequestError(APIError):  # the request as written was refused
    statuses = (400, 413, 422)


class AuthenticationError(APIError):  # the token is missing, unknown or lacks a permission
    statuses = (401, 403)


class PaymentRequiredError(APIError):  # the credits are spent (not a rate limit)
    statuses = (402,)


class NotFoundError(APIError):  # no such model or route; 410 is a retired host
    statuses = (404, 410)


class RateLimitError(APIError):  # too many requests; ``retry_after`` seconds
    statuses = (429,)


class ServerError(APIError):  # the service failed; ``estimated_time`` while loading
    statuses = range(500, 600)


def _json(text: str | None) -> dict[str, Any]:
    with contextlib.suppress(ValueError):
        data = json.loads(text or "")
        return data if isinstance(data, dict) else {}
    return {}


def _kind(error: APIError) -> str:
    """Return the kind of failure (a key of CAUSES) from the class, status, body and message."""
    status, message, data = error.status, error.message, _json(error.body)
    inner = data.get("error") if isinstance(data.get("error"), dict) else {}
    error_type = str(data.get("error_type") or error.error_type).replace("incomplete_", "")
    if isinstance(error, RequestTimeoutError):
        return f"timeout-{error.phase}"
    if isinstance(error, ConnectionFailedError):
        return "dns" if DNS_FAILURE.search(message) else "connection"
    if error_type in ("validation", "generation", "overloaded"):
        return error_type
    if isinstance(error, StreamError):
        code = str(inner.get("http_status_code") or error.error_type)
        return "validation" if code == "422" else "stream"
    if status is None:
        return "other"
    if inner.get("code") == "model_not_supported" or "not supported by any provider" in message:
        return "not-supported"
    if status == 401 and message.strip() == MISSING_TOKEN_MESSAGE:
        return "401-missing"
    if status == 429 and error.retry_after is not None:
        return "429-wait"
    if status == 503 and error.estimated_time is not None:
        return "503-loading"
    if status in BadRequestError.statuses:
        return "validation"
    if status >= 500:
        return "5xx"
    return str(status) if str(status) in CAUSES else "ok" if status < 400 else "other"


def _model(error: APIError) -> str:
    """Return the model the error is about: from the message, else from the URL."""
    found = re.search(r"model '([^']+)'|Model (\S+) is currently loading", error.message)
    if found:
        return found.group(1) or found.group(2)
    found = re.search(r"/models/(.+?)(?:/v1/.*|/pipeline/.*)?$", urlsplit(error.url or "").path)
    return found.group(1) if found else "the model"


def _fields(error: APIError) -> dict[str, Any]:
    """Return the specifics CAUSES and FIXES quote: the message, host, model, parameter…"""
    inner = _json(error.body).get("error")
    param = (inner.get("param") if isinstance(inner, dict) else None) or next(
        iter(re.findall(r"`(\w+)`", error.message)), None
    )
    provider = error.headers.get(PROVIDER_HEADER)
    return {
        "status": error.status,
        "message": " ".join(error.message.split())[:240],
        "url": error.url or "the URL",
        "host": urlsplit(error.url or "").netloc or "the host",
        "model": _model(error),
        "provider": f"provider {provider}" if provider else "the provider",
        "param": f"`{param}`" if param else "the parameter it names",
        "seconds": error.retry_after or error.estimated_time or 0,
        "status_s": f" (HTTP {error.status})" if error.status else "",
        "router": ROUTER_URL,
        "classic": "gpt2 is served by no provider today: run it on your own Inference Endpoint"
        if _model(error) in (GPT2, GPT2.split("/")[-1])
        else f"send classic tasks to {ROUTER_URL}/hf-inference/models/{_model(error)}",
    }


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
    with contextlib.suppress(ValueError):
        data = json.loads(stripped)
        return data, message_from_body(data) or " ".join(stripped.split())[:500]
    if "html" in content_type or stripped.lower().startswith(("<!doctype", "<html")):
        title = re.search(r"<title[^>]*>(.*?)</title>", stripped, re.IGNORECASE | re.DOTALL)
        stripped = html.unescape(title.group(1) if title else re.sub(r"<[^>]+>", " ", stripped))
    return None, " ".join(stripped.split())[:500] or None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Return the seconds to wait from a ``Retry-After`` value (seconds or an HTTP date)."""
    value = (value or "").strip()
    with contextlib.suppress(ValueError):
        return max(0.0, float(value)) if value else None
    with contextlib.suppress(TypeError, ValueError, IndexError):
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - (time.time() if now is None else now))
    return None


def error_from_parts(
    status: int,
    text: str,
    headers: dict | None = None,
    url: str | None = None,
    response: Any = None,
) -> APIError:
    """Return the exception for an HTTP error from its status, body text and headers."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    data, message = _decode(text or "", headers.get("content-type", ""))
    loading = data.get("estimated_time") if isinstance(data, dict) and status >= 500 else None
    cls = next((c for c in APIError.__subclasses__() if status in c.statuses), APIError)
    return cls(
        headers.get("x-error-message") or message or f"HTTP {status} with an empty body",
        status=status,
        response=response,
        headers=headers,
        request_id=next((headers[h] for h in REQUEST_ID_HEADERS if h in headers), None),
        url=url,
        body=text,
        retry_after=parse_retry_after(headers.get("retry-after")) if status == 429 else None,
        estimated_time=float(loading) if isinstance(loading, (int, float)) else None,
    )


def error_from_response(response: Any) -> APIError:
    """Return the exception for a failed ``requests`` or ``httpx`` response."""
    try:
        text = response.text or ""
    except Exception:  # a streamed body not read yet, or one that cannot be decoded
        text = ""
    url = str(getattr(response, "url", "") or "") or None
    return error_from_parts(response.status_code, text, dict(response.headers), url, response)


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
