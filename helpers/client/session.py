"""``InferenceSession``: a small client for the inference API on one ``requests.Session``.

It carries the token, reuses connections and retries 429, 5xx and connection failures (never a
read failure: the server may have done the work) with urllib3's ``Retry``, which honours
``Retry-After``. Every failure is one of ``helpers.client.errors``; the classic body
(``{"inputs", "parameters"}``) is checked first with TGI's rules from ``helpers.contract``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .. import contract
from .config import check_transport, redact
from .errors import (
    APIError,
    ConfigurationError,
    ConnectionFailedError,
    RequestTimeoutError,
    error_from_response,
)

DEFAULT_TIMEOUT = (5.0, 60.0)
"""(connect, read) seconds. Every request has a timeout; requests has none by default."""
RETRY_STATUSES = (429, 500, 502, 503, 504)


def build_payload(inputs: str, *, stream: bool = False, **parameters: Any) -> dict[str, Any]:
    """Return a ``{"inputs", "parameters"}`` payload (None values dropped) that TGI accepts.

    Raise ConfigurationError with TGI's own message for the first rule it breaks."""
    parameters = {k: v for k, v in parameters.items() if v is not None}
    problems = contract.tgi_violations({**parameters, "stream": True} if stream else parameters)
    if problems:
        parameter = re.search(r"`(\w+)`", problems[0]).group(1)
        raise ConfigurationError(
            f"The server would refuse this payload: {problems[0]}",
            hint=f"Change `{parameter}` so that it follows the rule.",
            parameter=parameter,
        )
    return {"inputs": inputs, "parameters": parameters, **({"stream": True} if stream else {})}


@dataclass
class Generation:
    """A text-generation answer (``finish_reason`` from its details) and where it came from."""

    text: str
    details: dict[str, Any] | None
    answered_by: str
    payload: dict[str, Any]
    status: int
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def finish_reason(self) -> str | None:
        return (self.details or {}).get("finish_reason")


def _unexpected(what: str, data: Any, response: Any = None) -> APIError:
    body = data[:2000] if isinstance(data, str) else json.dumps(data)[:2000]
    return APIError(
        f"The answer has no {what}: {body[:200]}",
        status=getattr(response, "status_code", None),
        body=body,
        response=response,
        hint="The route or the model may be wrong: print error.body.",
    )


def parse_generation(data: Any) -> tuple[str, dict[str, Any] | None]:
    """Return (generated_text, details) from a classic body (list or object); APIError if none."""
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
            hint="Check the URL, the network, any proxy; a longer read timeout does not help.",
        )
    if isinstance(exc, requests.exceptions.Timeout) or "Read timed out" in reason:
        return RequestTimeoutError(f"Connected to {url}, but no answer came in time.", url=url)
    errno = re.search(r"\[Errno -?\d+\] ([^'\")]+)", reason)  # e.g. "Connection refused"
    return ConnectionFailedError(
        f"Could not connect to {url}: {errno.group(1) if errno else reason[:200]}", url=url
    )


class InferenceSession:
    """Calls the inference routes and the Hub API with one reusable ``requests.Session``;
    ``allow_plain_http`` lets a (throw-away) token go over http."""

    def __init__(
        self,
        token: str | None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        pool_size: int = 10,
        allow_plain_http: bool = False,
    ) -> None:
        self._token, self.timeout, self.allow_plain_http = token, timeout, allow_plain_http
        self.session = requests.Session()
        retry = Retry(  # transient statuses and connection failures, POST too; never a read
            total=retries,
            connect=retries,
            read=0,
            status=retries,
            backoff_factor=0.5,
            backoff_jitter=0.25,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "POST"}),
            raise_on_status=False,  # the last failed answer becomes our exception
        )
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "hf-inference-tutorial/0.2"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token={redact(self._token)!r}, timeout={self.timeout})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> InferenceSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

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
            raise _failure(url, exc) from None
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def json(self, method: str, url: str, **kwargs: Any) -> tuple[Any, requests.Response]:
        """Return (decoded JSON body, response); a success that is not JSON is an APIError."""
        response = self.request(method, url, **kwargs)
        try:
            return response.json(), response
        except ValueError:
            what = f"JSON ({response.headers.get('content-type')})"
            raise _unexpected(what, response.text, response) from None

    def text_generation(self, url: str, inputs: str, **parameters: Any) -> Generation:
        """Return the Generation for ``inputs`` posted to a classic ``url``; checked before sending."""
        payload = build_payload(inputs, **parameters)
        data, response = self.json("POST", url, json=payload)
        headers = dict(response.headers)
        host, provider = urlsplit(response.url).hostname, headers.get(contract.PROVIDER_HEADER)
        by = f"{host} (provider {provider})" if provider else str(host)  # read from the answer
        if contract.STAND_IN_HEADER in response.headers:
            by = "local stand-in (made-up text, not a real model)"
        text, details = parse_generation(data)
        return Generation(text, details, by, payload, response.status_code, headers)

    def model_providers(self, hub_api_url: str, model_id: str) -> list[dict[str, Any]]:
        """Return the model's inference provider mapping: dicts with ``provider`` (maybe none).

        The Hub answers an object keyed by provider, or a list of objects with ``provider``."""
        params = {"expand[]": "inferenceProviderMapping"}
        data, _ = self.json("GET", f"{hub_api_url}/models/{model_id}", params=params, auth=False)
        mapping = (data if isinstance(data, dict) else {}).get("inferenceProviderMapping") or []
        if isinstance(mapping, dict):
            mapping = [{**v, "provider": k} for k, v in mapping.items() if isinstance(v, dict)]
        return [m for m in mapping if isinstance(m, dict)] if isinstance(mapping, list) else []
