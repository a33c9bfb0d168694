"""One exception per way a call to the inference API can fail, each with a fix.

Every exception carries the HTTP status (when there was one), the server's own message,
the request id, the URL and a ``hint`` that says what to do. ``error_from_response`` builds
the right one from any response, whatever the shape of its body: a JSON object, a JSON
list, a JSON string, plain text, HTML or nothing at all (hf-api-facts.md §4). Classes also
inherit the builtin a caller would naturally catch (``PermissionError``, ``TimeoutError``…),
as ``requests.exceptions`` does.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import time
from typing import Any

REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-trace-id", "x-amz-cf-id")


class HFError(Exception):
    """Base class: a call to the Hugging Face API (or its stand-in) failed."""

    default_hint = "Read the server's message above; the README's troubleshooting table helps."

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
        super().__init__(message)
        self.message = message
        self.status = status
        self.hint = hint or self.default_hint
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

    def explain(self) -> str:
        """Return a friendly multi-line explanation, for display in a notebook."""
        name = type(self).__name__
        return f"{name}\n{self}"


class MissingTokenError(HFError, RuntimeError):
    """No token was found and nobody could be asked for one."""

    default_hint = "Put HF_TOKEN=... in a .env file (see .env.example), or use the local mode."


class InsecureTransportError(HFError, ValueError):
    """A token was about to travel over plain http to another machine."""


class ParameterError(HFError, ValueError):
    """A payload breaks one of the server's rules; found before sending it."""

    default_hint = "Change the parameter named above so that it follows the rule."

    def __init__(self, message: str, *, parameter: str, value: Any, rule: str, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.parameter = parameter
        self.value = value
        self.rule = rule


class BadRequestError(HFError, ValueError):
    """400: the server could not use the request (bad JSON, unsupported model for a route)."""

    default_hint = "Check the URL, the model id and that the body is the JSON the route expects."


class AuthenticationError(HFError, PermissionError):
    """401: the token is missing, malformed, revoked or unknown."""

    default_hint = (
        "Check that HF_TOKEN holds a current token (hf_ followed by 34 letters) from "
        "https://huggingface.co/settings/tokens, sent as 'Authorization: Bearer <token>'."
    )


class PaymentRequiredError(HFError):
    """402: the account's monthly included credits are spent; not a rate limit."""

    default_hint = (
        "Retrying will not help. Wait for next month's credits, buy credits (pay-as-you-go) "
        "or use the local stand-in. See notebook 04 for what requests cost."
    )


class PermissionDeniedError(HFError, PermissionError):
    """403: the token is valid but may not do this (fine-grained token without permission)."""

    default_hint = (
        "Give the token the 'Make calls to Inference Providers' permission "
        "(fine-grained tokens), or create a new one with it."
    )


class ModelNotFoundError(HFError, LookupError):
    """404: no such model or route is served (the router answers plain-text 'Not Found')."""

    default_hint = (
        "The model is not served at this URL today. Check the id, and whether a provider "
        "serves it with hf.model_providers(model_id); or pick a model that is served."
    )


class EndpointGoneError(HFError):
    """410: the URL was retired (api-inference.huggingface.co)."""

    default_hint = "Use https://router.huggingface.co/hf-inference/models/<model id> instead."


class ValidationError(HFError, ValueError):
    """422: the server rejected a parameter (TGI ``error_type`` "validation")."""

    default_hint = "Fix the parameter the message names; notebook 02 lists every rule."


class RateLimitError(HFError):
    """429: too many requests; wait ``retry_after`` seconds before the next one."""

    default_hint = "Wait and retry with backoff, or pace requests to the advertised limit."

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(HFError):
    """5xx: the service failed; retrying later with backoff usually works."""

    default_hint = "Retry later with exponential backoff; if it persists, report the request id."


class ModelLoadingError(ServerError):
    """503 with ``estimated_time``: the classic cold start of a model being loaded."""

    default_hint = "Wait about estimated_time seconds, then retry."

    def __init__(self, message: str, *, estimated_time: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.estimated_time = estimated_time


class RequestTimeoutError(HFError, TimeoutError):
    """The server did not answer (or did not accept the connection) in time."""

    default_hint = "Retry, or raise the read timeout for long generations."


class ConnectionFailedError(HFError, ConnectionError):
    """No connection could be made, or it broke before the answer was complete."""

    default_hint = "Check the URL and your network; is the stand-in still running?"


class UnexpectedResponseError(HFError, ValueError):
    """The server answered 2xx but the body is not what the route promises."""

    default_hint = "Print error.body to see what came back; the route or model may be wrong."


STATUS_CLASSES: dict[int, type[HFError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: ModelNotFoundError,
    410: EndpointGoneError,
    422: ValidationError,
    429: RateLimitError,
}


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
) -> HFError:
    """Return the exception for an HTTP error, built from its status, body and headers."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    data, message = _decode(text or "", headers.get("content-type", ""))
    message = headers.get("x-error-message") or message or f"HTTP {status} with an empty body"
    request_id = next((headers[h] for h in REQUEST_ID_HEADERS if h in headers), None)
    common = {
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
    if status in STATUS_CLASSES:
        return STATUS_CLASSES[status](message, **common)
    if status >= 500:
        return ServerError(message, **common)
    return HFError(message, **common)


def error_from_response(response: Any) -> HFError:
    """Return the exception for a failed ``requests.Response``."""
    try:
        text = response.text
    except Exception:  # a body that cannot be decoded is still an error to report
        text = ""
    return error_from_parts(response.status_code, text, dict(response.headers), response.url)


def raise_for_response(response: Any) -> None:
    """Raise the matching HFError when ``response`` is not a success; else return None."""
    if response.status_code >= 400:
        raise error_from_response(response)
