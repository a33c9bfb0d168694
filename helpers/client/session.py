"""``InferenceSession``: a small client for the inference API on one ``requests.Session``.

The Session carries the token, reuses connections and retries transient failures through
urllib3's ``Retry``; every failure comes out as one of ``helpers.client.errors``, never as a
raw ``KeyError``, ``JSONDecodeError`` or ``requests`` exception.

``text_generation`` speaks the classic shape (``{"inputs", "parameters"}`` posted to the
model's URL, answer ``[{"generated_text"}]``: TGI, the Inference Toolkit, the stand-in);
``chat`` the OpenAI one (notebooks/REFERENCES.md, "Text generation").

Retries (``make_retry``): 429, 500, 502, 503 and 504, GET and POST, connection failures but
never a read failure (the server may have done the work). urllib3 2.x sleeps for the
response's ``Retry-After`` when it has one, else for the exponential backoff
(``urllib3/util/retry.py``, ``Retry.sleep``). huggingface_hub's InferenceClient retries
nothing; the openai client retries twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..contract import PROVIDER_HEADER, REQUEST_ID_HEADERS, STAND_IN_HEADER
from .config import check_transport, is_loopback_host, redact
from .errors import APIError, ConnectionFailedError, RequestTimeoutError, error_from_response
from .payload import build_payload
from .sse import iter_events

DEFAULT_TIMEOUT = (5.0, 60.0)
"""(connect, read) seconds. Every request has a timeout; requests has none by default."""
RETRY_STATUSES = (429, 500, 502, 503, 504)


def make_retry(total: int = 3, backoff_factor: float = 0.5) -> Retry:
    """Return the urllib3 Retry policy: transient statuses and connection failures, POST too."""
    return Retry(
        total=total,
        connect=total,
        read=0,  # a read failure may come after the server did the work: do not resend
        status=total,
        backoff_factor=backoff_factor,
        backoff_jitter=0.25,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST"}),
        respect_retry_after_header=True,
        raise_on_status=False,  # the last failed answer becomes our exception, with its message
    )


def answered_by(response: requests.Response) -> str:
    """Return who answered, read from the response itself (never from our configuration)."""
    if STAND_IN_HEADER in response.headers:
        return "local stand-in (made-up text, not a real model)"
    provider = response.headers.get(PROVIDER_HEADER)
    host = urlsplit(response.url).hostname
    return f"{host} (provider {provider})" if provider else str(host)


@dataclass
class Generation:
    """A text-generation answer (either shape) and where it came from."""

    text: str
    details: dict[str, Any] | None
    answered_by: str
    payload: dict[str, Any]
    status: int
    request_id: str | None = None
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    finish_reason: str | None = None

    def __str__(self) -> str:
        return f"{self.text}\n[answered by: {self.answered_by}]"


def _unexpected(what: str, data: Any, response: Any = None) -> APIError:
    body = json.dumps(data)[:2000] if not isinstance(data, str) else data[:2000]
    status = getattr(response, "status_code", None)
    hint = "The route or the model may be wrong: print error.body."
    return APIError(f"The answer has no {what}: {body[:200]}", status=status, body=body,
                    response=response, hint=hint)  # fmt: skip


def parse_generation(data: Any) -> tuple[str, dict[str, Any] | None]:
    """Return (generated_text, details) from a classic body (list or object form); APIError if none."""
    item = data[0] if isinstance(data, list) and data else data
    if isinstance(item, dict) and isinstance(item.get("generated_text"), str):
        details = item.get("details")
        return item["generated_text"], details if isinstance(details, dict) else None
    raise _unexpected("generated_text", data)


def _failure(url: str, exc: requests.exceptions.RequestException) -> APIError:
    """Return our exception for what requests raised when no HTTP answer came."""
    reason = str(exc.args[0]) if exc.args else type(exc).__name__
    if isinstance(exc, requests.exceptions.ConnectTimeout) or "ConnectTimeoutError" in reason:
        return RequestTimeoutError(
            f"Nothing at {url} accepted the connection in time (connect timeout).",
            url=url,
            phase="connect",
            hint="Check the URL, your network and any proxy or firewall; a longer read "
            "timeout does not help here.",
        )
    if isinstance(exc, requests.exceptions.Timeout) or "Read timed out" in reason:
        return RequestTimeoutError(f"Connected to {url}, but no answer came in time.", url=url)
    known = ("Name or service not known", "Temporary failure in name resolution",
             "nodename nor servname provided", "Connection refused", "No route to host",
             "Network is unreachable", "Connection reset by peer")  # fmt: skip
    short = next((k for k in known if k in reason), reason[:200])
    return ConnectionFailedError(f"Could not connect to {url}: {short}", url=url)


class InferenceSession:
    """Calls the inference routes and the Hub API with one reusable ``requests.Session``.

    ``retries=0`` turns retries off (the error demos show one failure). ``allow_plain_http``
    lets the token travel over http to any host: only for throw-away stand-in tokens.
    ``url_settings`` maps a base URL to the setting it came from (``{router: "HF_ROUTER_URL"}``)
    so that a connection failure's hint names the setting to check.
    """

    def __init__(
        self,
        token: str | None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff_factor: float = 0.5,
        pool_size: int = 10,
        allow_plain_http: bool = False,
        url_settings: dict[str, str] | None = None,
    ) -> None:
        self._token = token
        self.timeout = timeout
        self.allow_plain_http = allow_plain_http
        self.url_settings = {b.rstrip("/"): n for b, n in (url_settings or {}).items() if b}
        self.session = requests.Session()
        adapter = HTTPAdapter(
            max_retries=make_retry(retries, backoff_factor), pool_maxsize=pool_size
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "hf-inference-tutorial/0.2"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token={redact(self._token)!r}, timeout={self.timeout})"

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def __enter__(self) -> InferenceSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def connection_hint(self, url: str) -> str | None:
        """Return the hint for "nothing answers at ``url``": the setting that chose it, if any."""
        found = [
            (b, n) for b, n in self.url_settings.items() if url == b or url.startswith(b + "/")
        ]
        if found:
            base, name = max(found, key=lambda pair: len(pair[0]))
            return (
                f"Nothing answers at {base} ({name}): check the network and {name} (is "
                "that server running?), then run connect() again."
            )
        if is_loopback_host(urlsplit(url).hostname):
            return "The local stand-in at this address is not answering: run connect() again."
        return None

    def request(
        self, method: str, url: str, *, auth: bool = True, **kwargs: Any
    ) -> requests.Response:
        """Send a request and return the successful response; raise an HFError otherwise."""
        headers = dict(kwargs.pop("headers", None) or {})
        if auth and self._token:
            if not self.allow_plain_http:
                check_transport(url)
            headers["Authorization"] = f"Bearer {self._token}"
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = self.session.request(method, url, headers=headers, **kwargs)
        except requests.exceptions.RequestException as exc:
            error = _failure(url, exc)
            error.hint = self.connection_hint(url) or error.hint
            raise error from None
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def json(self, method: str, url: str, **kwargs: Any) -> tuple[Any, requests.Response]:
        """Return (decoded JSON body, response); a success that is not JSON is an APIError."""
        response = self.request(method, url, **kwargs)
        try:
            return response.json(), response
        except ValueError:
            raise _unexpected(
                f"JSON ({response.headers.get('content-type')})", response.text, response
            ) from None

    def text_generation(self, url: str, inputs: str, **parameters: Any) -> Generation:
        """Return the Generation for ``inputs`` posted to a classic ``url``; checked before sending."""
        payload = build_payload(inputs, **parameters)
        started = time.perf_counter()
        data, response = self.json("POST", url, json=payload)
        text, details = parse_generation(data)
        headers = response.headers
        request_id = next((headers[h] for h in REQUEST_ID_HEADERS if h in headers), None)
        return Generation(text, details, answered_by(response), payload, response.status_code,
                          request_id, time.perf_counter() - started, dict(headers),
                          (details or {}).get("finish_reason"))  # fmt: skip

    def stream_text_generation(self, url: str, inputs: str, **parameters: Any) -> Iterator[dict]:
        """Yield TGI's stream events for ``inputs``; the last one carries ``generated_text``."""
        yield from self._stream(url, build_payload(inputs, stream=True, **parameters))

    def chat(self, url: str, model: str, messages: list[dict], **options: Any) -> dict[str, Any]:
        """Return the chat completion (OpenAI shape) for ``messages``, with ``answered_by`` added."""
        data, response = self.json(
            "POST", url, json={"model": model, "messages": messages, **options}
        )
        try:
            data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise _unexpected("choices[0].message.content", data, response) from None
        data["answered_by"] = answered_by(response)
        return data

    def stream_chat(
        self, url: str, model: str, messages: list[dict], **options: Any
    ) -> Iterator[dict]:
        """Yield the chat completion chunks (OpenAI shape) until ``data: [DONE]``."""
        yield from self._stream(
            url, {"model": model, "messages": messages, **options, "stream": True}
        )

    def _stream(self, url: str, body: dict) -> Iterator[dict]:
        with self.request("POST", url, json=body, stream=True) as response:
            try:
                yield from iter_events(response.iter_lines(decode_unicode=True), url)
            except requests.exceptions.RequestException as exc:
                raise ConnectionFailedError(
                    f"The stream from {url} broke: {exc}", url=url
                ) from None

    def model_providers(self, hub_api_url: str, model_id: str) -> list[dict[str, Any]]:
        """Return the model's inference provider mapping as a list of dicts (maybe empty).

        The Hub answers an object keyed by provider (``expand[]=inferenceProviderMapping``);
        older answers, and ``list_models``, a list with a ``provider`` field. Both work here.
        """
        data, _ = self.json(
            "GET",
            f"{hub_api_url}/models/{model_id}",
            params={"expand[]": "inferenceProviderMapping"},
            auth=False,
        )
        mapping = data.get("inferenceProviderMapping") if isinstance(data, dict) else None
        if isinstance(mapping, dict):
            return [
                {**(v if isinstance(v, dict) else {}), "provider": k} for k, v in mapping.items()
            ]
        return [m for m in mapping if isinstance(m, dict)] if isinstance(mapping, list) else []
