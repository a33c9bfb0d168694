"""A small client for the inference API on top of one ``requests.Session``.

The Session carries the token, reuses connections and retries transient failures (429,
500, 502, 503, 504; honouring ``Retry-After``) through urllib3's ``Retry``. Every failure
comes out as one of the exceptions of ``helpers.client.errors``, never as a raw ``KeyError``,
``JSONDecodeError`` or ``requests`` exception.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..contract import STAND_IN_HEADER
from .config import check_transport, redact
from .errors import (
    ConnectionFailedError,
    RequestTimeoutError,
    UnexpectedResponseError,
    raise_for_response,
)
from .payload import build_payload
from .sse import iter_events

DEFAULT_TIMEOUT = (5.0, 60.0)
"""(connect, read) seconds. Every request has a timeout; requests has none by default."""
RETRY_STATUSES = (429, 500, 502, 503, 504)


def make_retry(total: int = 3, backoff_factor: float = 0.5) -> Retry:
    """Return the urllib3 Retry policy: transient statuses only, POST included."""
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
        raise_on_status=False,
    )


def answered_by(response: requests.Response) -> str:
    """Return who answered, read from the response itself (never from our configuration)."""
    if STAND_IN_HEADER in response.headers:
        return "local stand-in (n-gram text, not a real model)"
    provider = response.headers.get("x-inference-provider")
    host = requests.utils.urlparse(response.url).hostname
    return f"{host} (provider {provider})" if provider else str(host)


@dataclass
class Generation:
    """A text-generation answer and where it came from."""

    text: str
    details: dict[str, Any] | None
    answered_by: str
    payload: dict[str, Any]
    status: int
    request_id: str | None = None
    seconds: float = 0.0
    raw: Any = field(default=None, repr=False)
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        return f"{self.text}\n[answered by: {self.answered_by}]"


def parse_generation(data: Any) -> tuple[str, dict[str, Any] | None]:
    """Return (generated_text, details) from a classic text-generation body.

    Accepts the list form ``[{"generated_text": …}]`` and the object form; raises
    UnexpectedResponseError for anything else (an error body that came with 200, HTML…).
    """
    item = data[0] if isinstance(data, list) and data else data
    if isinstance(item, dict) and isinstance(item.get("generated_text"), str):
        details = item.get("details")
        return item["generated_text"], details if isinstance(details, dict) else None
    raise UnexpectedResponseError(
        "The answer has no generated_text: " + json.dumps(data)[:200],
        body=json.dumps(data)[:2000],
    )


class InferenceSession:
    """Calls the classic task contract and the Hub API with one reusable Session.

    ``retries=0`` turns retries off (the error demos use it, to show one failure).
    ``allow_plain_http`` lets the token travel over http to any host: only for throw-away
    stand-in tokens (a workshop stand-in on the room's network), never for a real token.
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
    ) -> None:
        self._token = token
        self.allow_plain_http = allow_plain_http
        self.timeout = timeout
        self.session = requests.Session()
        adapter = HTTPAdapter(
            max_retries=make_retry(retries, backoff_factor), pool_maxsize=pool_size
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "hf-inference-tutorial/0.1"

    def __repr__(self) -> str:
        return f"InferenceSession(token={redact(self._token)!r}, timeout={self.timeout})"

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

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
        except requests.exceptions.Timeout as exc:
            raise RequestTimeoutError(
                f"No answer from {url} in time ({type(exc).__name__}).", url=url
            ) from None
        except requests.exceptions.RetryError as exc:
            raise ConnectionFailedError(f"Gave up on {url} after retries: {exc}", url=url) from None
        except requests.exceptions.ConnectionError as exc:
            reason = str(exc.args[0]) if exc.args else type(exc).__name__
            if "Read timed out" in reason:
                raise RequestTimeoutError(f"No answer from {url} in time.", url=url) from None
            raise ConnectionFailedError(
                f"Could not connect to {url}: {reason[:200]}", url=url
            ) from None
        except requests.exceptions.RequestException as exc:
            raise ConnectionFailedError(f"Request to {url} failed: {exc}", url=url) from None
        raise_for_response(response)
        return response

    def json(self, method: str, url: str, **kwargs: Any) -> tuple[Any, requests.Response]:
        """Return (decoded JSON body, response); a non-JSON success is UnexpectedResponseError."""
        response = self.request(method, url, **kwargs)
        try:
            return response.json(), response
        except ValueError:
            raise UnexpectedResponseError(
                f"Expected JSON from {url}, got {response.headers.get('content-type')!r}: "
                f"{response.text[:200]!r}",
                status=response.status_code,
                url=url,
                body=response.text[:2000],
            ) from None

    def text_generation(self, url: str, inputs: str, **parameters: Any) -> Generation:
        """Return the Generation for ``inputs`` posted to a classic task ``url``.

        Parameters are checked with the server's rules before anything is sent.
        """
        payload = build_payload(inputs, **parameters)
        started = time.perf_counter()
        data, response = self.json("POST", url, json=payload)
        text, details = parse_generation(data)
        return Generation(
            text=text,
            details=details,
            answered_by=answered_by(response),
            payload=payload,
            status=response.status_code,
            request_id=response.headers.get("x-request-id"),
            seconds=time.perf_counter() - started,
            raw=data,
            headers=dict(response.headers),
        )

    def stream_text_generation(self, url: str, inputs: str, **parameters: Any) -> Iterator[dict]:
        """Yield the TGI stream events for ``inputs``; the last one carries ``details``."""
        payload = build_payload(inputs, stream=True, **parameters)
        yield from self._stream("POST", url, json=payload)

    def chat(self, url: str, model: str, messages: list[dict], **options: Any) -> dict[str, Any]:
        """Return the chat completion (OpenAI shape) for ``messages`` posted to ``url``."""
        body = {"model": model, "messages": messages, **options}
        data, response = self.json("POST", url, json=body)
        try:
            data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise UnexpectedResponseError(
                f"The chat answer has no choices[0].message.content: {str(data)[:200]}",
                url=url,
                body=str(data)[:2000],
            ) from None
        data["answered_by"] = answered_by(response)
        return data

    def stream_chat(
        self, url: str, model: str, messages: list[dict], **options: Any
    ) -> Iterator[dict]:
        """Yield the chat completion chunks (OpenAI shape) until ``data: [DONE]``."""
        body = {"model": model, "messages": messages, **options, "stream": True}
        yield from self._stream("POST", url, json=body)

    def _stream(self, method: str, url: str, **kwargs: Any) -> Iterator[dict]:
        response = self.request(method, url, stream=True, **kwargs)
        with response:
            try:
                yield from iter_events(response.iter_lines(decode_unicode=True), url)
            except requests.exceptions.RequestException as exc:
                raise ConnectionFailedError(
                    f"The stream from {url} broke: {exc}", url=url
                ) from None

    def whoami(self, hub_api_url: str) -> dict[str, Any]:
        """Return the whoami-v2 body for the token: user name, token role, permissions."""
        data, _ = self.json("GET", f"{hub_api_url}/whoami-v2")
        if not isinstance(data, dict) or "name" not in data:
            raise UnexpectedResponseError(f"whoami-v2 answered without a name: {str(data)[:200]}")
        return data

    def model_providers(self, hub_api_url: str, model_id: str) -> list[dict[str, Any]]:
        """Return the model's inference provider mapping as a list of dicts (maybe empty).

        The Hub has sent it as a dict keyed by provider and, later, as a list; both work.
        """
        data, _ = self.json(
            "GET",
            f"{hub_api_url}/models/{model_id}",
            params={"expand[]": "inferenceProviderMapping"},
            auth=False,
        )
        mapping = data.get("inferenceProviderMapping") if isinstance(data, dict) else None
        if isinstance(mapping, dict):
            return [{"provider": name, **(value or {})} for name, value in mapping.items()]
        if isinstance(mapping, list):
            return [m for m in mapping if isinstance(m, dict)]
        return []
