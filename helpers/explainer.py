"""``explain(x)``: what an error means and what to do, in two or three sentences.

``x`` is a ``requests.Response``, a ``requests`` exception, one of ``helpers.client.errors``, or
an exception of ``huggingface_hub`` or ``openai``. Each is first read as this package's error
(``error_from_parts``), then one row of ``ROWS`` gives the cause and the fix, quoting what the
error carries. The bodies: notebooks/REFERENCES.md, "Errors" and "Streaming".
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from .client import errors
from .contract import MISSING_TOKEN_MESSAGE, PROVIDER_HEADER, ROUTER_URL

DNS_FAILURES = (
    "Name or service not known",
    "Temporary failure in name resolution",
    "nodename nor servname",
    "getaddrinfo failed",
    "No address associated",
)
CONNECTION_CLASSES = {
    "ConnectionError",
    "APIConnectionError",
    "ConnectError",
    "gaierror",
    "NetworkError",
}
TGI_CLASSES = {
    "ValidationError": "validation",
    "GenerationError": "generation",
    "OverloadedError": "overloaded",
    "IncompleteGenerationError": "generation",
}
ROWS: dict[str, tuple[str, str]] = {
    "401-missing": (
        "HTTP 401 '{message}': no token reached the server.",
        "Send 'Authorization: Bearer <token>' with the token from HF_TOKEN (is HF_TOKEN empty, or the header misspelt?).",
    ),
    "401": (
        "HTTP 401 '{message}': the server does not know this token (mistyped, revoked or expired).",
        "Create a token at https://huggingface.co/settings/tokens, put it in .env as HF_TOKEN=..., restart the kernel; `python -m helpers.doctor` checks it.",
    ),
    "402": (
        "HTTP 402 '{message}': the account's Inference Providers credits are spent (a bill, not a rate limit).",
        "Retrying does not help: buy credits or subscribe to PRO (https://huggingface.co/settings/billing), or work offline with HF_TUTORIAL_MODE=local.",
    ),
    "403-permission": (
        "HTTP 403 '{message}': this token may not call Inference Providers.",
        "Give it the 'Make calls to Inference Providers' permission at https://huggingface.co/settings/tokens (fine-grained tokens), or create a token that has it.",
    ),
    "403": (
        "HTTP 403 '{message}': the server refused this token for this request (an organisation's token policy, or a gated model).",
        "Check the token's permissions and the model's access conditions on its Hub page.",
    ),
    "404": (
        "HTTP 404 '{message}' from {url}: nothing is served there (the router's 404 is plain text): {model} is not deployed there, or the path is wrong.",
        "Check the model id and the route; `python -m helpers.doctor --model {model}` asks the Hub who serves it.",
    ),
    "407": (
        "HTTP 407 '{message}': a proxy between you and the service asks for its own sign-in.",
        "Set HTTPS_PROXY=http://user:password@proxy:port (requests and httpx read it), or ask the network's admin.",
    ),
    "410": (
        "HTTP 410 from {host}: the seed tutorial's host is retired ('{message}').",
        "Send classic tasks to {router}/hf-inference/models/{model} and chat to {router}/v1/chat/completions (notebook 02; gpt2 is served by no provider today).",
    ),
    "not-supported": (
        "HTTP {status} '{message}': no provider you have enabled serves {model}.",
        "Pick a model and provider that GET {router}/v1/models lists (choose_provider() does it), or enable a provider at https://huggingface.co/settings/inference-providers.",
    ),
    "validation": (
        "HTTP {status}: the server refused the request as written: '{message}'.",
        "Change {param} as the message says and send it again (notebooks 03 and 04 list the rules); the same request gets the same answer.",
    ),
    "generation": (
        "The model failed while generating{status_s}: '{message}'.",
        "Retry once; if it fails again, shorten the prompt or change the parameters (what arrived before the error is incomplete).",
    ),
    "overloaded": (
        "The model is overloaded{status_s}: '{message}'.",
        "Wait and retry with exponential backoff (notebook 06).",
    ),
    "stream": (
        "The stream stopped with an error event after it had started with 200: '{message}'.",
        "What arrived before it is incomplete: retry the request; a validation error needs the request changed first.",
    ),
    "429-wait": (
        "HTTP 429 '{message}': too many requests; the answer asks you to wait {seconds:g} s (Retry-After).",
        "Wait {seconds:g} s before the next request, then pace your requests (notebook 07).",
    ),
    "429": (
        "HTTP 429 '{message}': too many requests, and the answer gives no Retry-After.",
        "Wait with exponential backoff and jitter (notebook 06) and pace requests below the limit (notebook 07).",
    ),
    "503-loading": (
        "HTTP 503: {model} is loading (estimated {seconds:g} s), a cold start (an Endpoint scaled to zero, or the old API).",
        "Wait about {seconds:g} s and retry, a few times at most.",
    ),
    "504": (
        "HTTP 504 '{message}': the gateway got no answer in time from {provider}.",
        "Retry later with backoff, ask for fewer tokens, or pick another provider (model:provider).",
    ),
    "5xx": (
        "HTTP {status} '{message}': the service failed ({provider}).",
        "Retry later with exponential backoff (notebook 06); if it persists, report the request id.",
    ),
    "dns": (
        "The host {host} does not resolve ({message}): no network, a typo in the URL, or the retired api-inference host.",
        f"Check the connection and the URL (HF_ROUTER_URL, HF_HUB_URL); code calling api-inference.huggingface.co must call {ROUTER_URL}.",
    ),
    "refused": (
        "Nothing listens at {host} (connection refused).",
        "Check the URL and the port, and that the server (a stand-in, an Endpoint) is running.",
    ),
    "connection": (
        "No connection to {host} ({message}): the network, a proxy or a firewall is in the way.",
        "Check the network (a captive portal needs a sign-in in a browser) and retry; `python -m helpers.doctor` tests the hosts.",
    ),
    "timeout-connect": (
        "Nothing at {host} accepted the connection in time (connect timeout).",
        "Check the network, a proxy or a firewall; a longer read timeout does not help here.",
    ),
    "timeout-read": (
        "{host} accepted the connection but sent no answer in time (read timeout).",
        "Retry, raise the read timeout (requests: timeout=(5, 120)), or stream the answer.",
    ),
    "ok": ("HTTP {status}: nothing failed.", "Nothing to fix."),
    "setting": ("{message}", "{hint}"),
    "other": ("HTTP {status} '{message}'.", "{hint}"),
}


def _chain(exc: BaseException) -> str:
    """Return the messages of ``exc`` and its causes, joined (openai hides the cause)."""
    said: list[str] = []
    while exc is not None and len(said) < 6:
        said.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    return " | ".join(s for s in said if s)


def _request_url(exc: BaseException) -> str | None:
    try:  # httpx's ``request`` raises RuntimeError when it was never set
        return str(getattr(getattr(exc, "request", None), "url", None) or "") or None
    except RuntimeError:
        return None


def as_error(x: Any) -> errors.HFError:
    """Return this package's error for ``x`` (a response or an exception of any client)."""
    if isinstance(x, errors.HFError):
        return x
    response = getattr(x, "response", None) if isinstance(x, BaseException) else x
    if hasattr(response, "status_code"):
        try:
            text = response.text or ""
        except Exception:  # a streamed body not read yet, or one that cannot be decoded
            text = ""
        url = str(getattr(response, "url", "") or "") or None
        return errors.error_from_parts(
            response.status_code, text, dict(response.headers), url, response
        )
    if not isinstance(x, BaseException):
        raise TypeError(f"explain() takes a response or an exception, not {type(x).__name__}")
    names = {c.__name__ for c in type(x).__mro__}
    url, said = _request_url(x), _chain(x)
    said = next((k for k in (*DNS_FAILURES, "Connection refused") if k in said), said[:300])
    if names & set(TGI_CLASSES) and "TextGenerationError" in names:
        return errors.StreamError(str(x), error_type=TGI_CLASSES[type(x).__name__], url=url)
    if any("Timeout" in n for n in names):
        phase = "connect" if "Connect" in type(x).__name__ else "read"
        return errors.RequestTimeoutError(said, phase=phase, url=url)
    if names & CONNECTION_CLASSES:
        return errors.ConnectionFailedError(said, url=url)
    body = getattr(x, "body", None)  # openai.APIError for a streamed error event
    if isinstance(body, dict):
        return errors.StreamError(
            str(body.get("message") or x),
            body=json.dumps(body),
            url=url,
            error_type=str(body.get("type") or body.get("http_status_code") or ""),
        )
    return errors.APIError(said or type(x).__name__, url=url)


def _json(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text or "")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _kind(error: errors.HFError, data: dict[str, Any]) -> str:
    """Return the row of ROWS for ``error``; ``data`` is its decoded JSON body ({} if none)."""
    status, message = getattr(error, "status", None), error.message
    inner = data.get("error") if isinstance(data.get("error"), dict) else {}
    error_type = data.get("error_type") or getattr(error, "error_type", None)
    if not isinstance(error, errors.APIError):
        return "setting"
    if isinstance(error, errors.RequestTimeoutError):
        return f"timeout-{error.phase}"
    if isinstance(error, errors.ConnectionFailedError):
        if any(d in message for d in DNS_FAILURES):
            return "dns"
        return "refused" if "refused" in message.lower() else "connection"
    if error_type in ("validation", "generation", "overloaded", "incomplete_generation"):
        return str(error_type).replace("incomplete_", "")
    if isinstance(error, errors.StreamError):
        code = str(inner.get("http_status_code") or error.error_type)
        return "validation" if code == "422" else "stream"
    if not isinstance(status, int):
        return "other"
    if inner.get("code") == "model_not_supported" or "not supported by any provider" in message:
        return "not-supported"
    if status == 401:
        return "401-missing" if message.strip() == MISSING_TOKEN_MESSAGE else "401"
    if status == 403:
        return "403-permission" if "Inference Providers" in message else "403"
    if status == 429:
        return "429-wait" if getattr(error, "retry_after", None) is not None else "429"
    if status == 503 and getattr(error, "estimated_time", None) is not None:
        return "503-loading"
    if status in (400, 413, 422):
        return "validation"
    if status in (402, 404, 407, 410, 504):
        return str(status)
    return "5xx" if status >= 500 else "ok" if status < 400 else "other"


def _model(error: errors.HFError, data: dict[str, Any]) -> str:
    """Return the model the error is about: from the message, the URL or the request's body."""
    found = re.search(r"model '([^']+)'|Model (\S+) is currently loading", error.message)
    if found:
        return found.group(1) or found.group(2)
    path = urlsplit(getattr(error, "url", None) or "").path
    found = re.search(r"/models/(.+?)(?:/v1/.*|/pipeline/.*)?$", path)
    if found:
        return found.group(1)
    sent = getattr(getattr(getattr(error, "response", None), "request", None), "body", None)
    try:
        return str(json.loads(sent or b"").get("model") or "the model")
    except (ValueError, TypeError, AttributeError):
        return "the model"


def explain(x: Any) -> str:
    """Return what happened and what to do about ``x``, in two or three sentences.

    >>> explain(requests.get("https://api-inference.huggingface.co/models/gpt2"))  # doctest: +SKIP
    """
    error = as_error(x)
    data = _json(getattr(error, "body", None))
    kind = _kind(error, data)
    url = getattr(error, "url", None) or ""
    headers = {k.lower(): v for k, v in (getattr(error, "headers", None) or {}).items()}
    inner = data.get("error") if isinstance(data.get("error"), dict) else {}
    status = getattr(error, "status", None)
    param = inner.get("param") or next(iter(re.findall(r"`(\w+)`", error.message)), None)
    seconds = getattr(error, "retry_after", None) or getattr(error, "estimated_time", None)
    fields = {
        "status": status,
        "message": " ".join(error.message.split())[:240],
        "url": url or "the URL",
        "host": urlsplit(url).netloc or "the host",
        "model": _model(error, data),
        "provider": f"provider {headers[PROVIDER_HEADER]}"
        if PROVIDER_HEADER in headers
        else "the provider",
        "param": f"`{param}`" if param else "the parameter it names",
        "seconds": seconds or 0,
        "status_s": f" (HTTP {status})" if status else "",
        "router": ROUTER_URL,
        "hint": error.hint,
    }
    cause, fix = ROWS[kind]
    text = f"{cause.format(**fields)} {fix.format(**fields)}"
    request_id = getattr(error, "request_id", None)
    return text + (f" Request id: {request_id}." if request_id and kind != "ok" else "")
