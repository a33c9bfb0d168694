"""A small client for the inference API on top of one ``requests.Session``.

The Session carries the token, reuses connections and retries transient failures through
urllib3's ``Retry``. Every failure comes out as one of the exceptions of
``helpers.client.errors``, never as a raw ``KeyError``, ``JSONDecodeError`` or ``requests``
exception.

Two request shapes for text generation (notebooks/REFERENCES.md, "Text generation"):

* classic, ``text_generation``: ``{"inputs", "parameters"}`` posted to the model's URL, answer
  ``[{"generated_text"}]``. Spoken by TGI and the Inference Toolkit (dedicated Endpoints
  running those engines), by hf-inference's non-LLM tasks, and by the stand-in;
* OpenAI completions, ``completion``: ``{"model", "prompt", "max_tokens"}`` posted to
  ``{base}/v1/completions``, answer ``choices[0].text``. Spoken by hf-inference's LLMs (vLLM,
  since 2026-05-20 in huggingface.js ``packages/inference/src/providers/hf-inference.ts``,
  commit ``0c994d0d``), by vLLM and SGLang endpoints, and by TGI too.

``routes_spoken(base)`` tells at run time which shapes a server at ``base`` answers.

Which clients retry, and on what (notebooks/REFERENCES.md, "Clients"):

* ours: ``make_retry`` below, urllib3's ``Retry`` on 429, 500, 502, 503 and 504, for GET and
  POST, connection failures included but never a read failure (the server may have done
  the work). urllib3 2.x (``src/urllib3/util/retry.py``, ``Retry.is_retry`` and
  ``Retry.sleep``) retries a status in ``status_forcelist``, and also a status in
  ``Retry.RETRY_AFTER_STATUS_CODES`` = {413, 429, 503} that carries ``Retry-After`` even when
  it is not in the list. When it retries, it sleeps for the ``Retry-After`` of the response
  if there is one, else for the exponential backoff. So our 429 and 503 wait as long as the
  server asks; a 500/502/504 waits for Retry-After only if the server sent one; a 413 with
  ``Retry-After`` would be retried (none of the servers we call send one: TGI's 413 is a
  body too large, which no wait cures).
* huggingface_hub's ``InferenceClient`` (2.4.0) retries nothing; the ``openai`` client retries
  twice by default (``src/openai/_constants.py``, ``DEFAULT_MAX_RETRIES = 2``).
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

from ..contract import (
    PROVIDER_HEADER,
    REQUEST_ID_HEADERS,
    STAND_IN_HEADER,
    STANDIN_URL_ENV_VAR,
)
from .config import check_transport, redact
from .errors import (
    APIError,
    ConnectionFailedError,
    RequestTimeoutError,
    UnexpectedResponseError,
    raise_for_response,
)
from .payload import build_payload, check_completion_options
from .sse import iter_events
from .urls import join

DEFAULT_TIMEOUT = (5.0, 60.0)
"""(connect, read) seconds. Every request has a timeout; requests has none by default."""
RETRY_STATUSES = (429, 500, 502, 503, 504)
"""Retried by ``make_retry``; see the module docstring for how Retry-After is honoured."""


def make_retry(total: int = 3, backoff_factor: float = 0.5) -> Retry:
    """Return the urllib3 Retry policy: transient statuses only, POST included.

    ``respect_retry_after_header`` makes 429 and 503 wait as long as the server asks
    (urllib3 honours ``Retry-After`` on every status it retries, and retries 413/429/503
    that carry it); ``raise_on_status=False`` hands the last failed response back, so
    that it becomes our exception with the server's message.
    """
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


def connection_reason(reason: str) -> str:
    """Return the useful part of urllib3's long connection error, e.g. 'Connection refused'."""
    for known in (
        "Name or service not known",
        "Temporary failure in name resolution",
        "nodename nor servname provided",
        "getaddrinfo failed",
        "Connection refused",
        "No route to host",
        "Network is unreachable",
        "Connection reset by peer",
    ):
        if known in reason:
            return known
    if "NameResolutionError" in reason:
        return "the host name could not be resolved (no network, or a typo in the URL)"
    return reason[:200]


def answered_by(response: requests.Response) -> str:
    """Return who answered, read from the response itself (never from our configuration)."""
    if STAND_IN_HEADER in response.headers:
        return "local stand-in (made-up text, not a real model)"
    provider = response.headers.get(PROVIDER_HEADER)
    host = requests.utils.urlparse(response.url).hostname
    return f"{host} (provider {provider})" if provider else str(host)


def request_id_of(response: requests.Response) -> str | None:
    """Return the request id the server gave this response, or None."""
    return next((response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), None)


@dataclass
class Generation:
    """A text-generation answer (either shape) and where it came from.

    ``details`` is TGI's (classic shape, when asked for); ``finish_reason`` and ``usage``
    come from an OpenAI completions answer, or from ``details`` in the classic shape.
    """

    text: str
    details: dict[str, Any] | None
    answered_by: str
    payload: dict[str, Any]
    status: int
    request_id: str | None = None
    seconds: float = 0.0
    raw: Any = field(default=None, repr=False)
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None

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


def parse_completion(data: Any) -> tuple[str, str | None, dict[str, Any] | None]:
    """Return (choices[0].text, finish_reason, usage) from an OpenAI completions body.

    Raises UnexpectedResponseError for anything else (a classic answer, an error body...).
    """
    try:
        choice = data["choices"][0]
        text = choice["text"]
    except (KeyError, IndexError, TypeError):
        text = None
    if not isinstance(text, str):
        raise UnexpectedResponseError(
            "The answer has no choices[0].text: " + json.dumps(data)[:200],
            body=json.dumps(data)[:2000],
        )
    usage = data.get("usage")
    return text, choice.get("finish_reason"), usage if isinstance(usage, dict) else None


def completions_url(base_url: str) -> str:
    """Return ``{base_url}/v1/completions``; ``base_url`` may already end with it.

    >>> completions_url("https://router.huggingface.co/hf-inference/models/Qwen/Qwen3-4B")
    'https://router.huggingface.co/hf-inference/models/Qwen/Qwen3-4B/v1/completions'
    """
    if base_url.rstrip("/").endswith("/v1/completions"):
        return base_url.rstrip("/")
    return join(base_url, "v1/completions")


@dataclass(frozen=True)
class RoutesSpoken:
    """Which request shapes a server answers, and how we found out.

    ``classic`` / ``openai`` are True, False or None (could not tell).
    """

    base_url: str
    classic: bool | None
    openai: bool | None
    engine: str | None
    how: str

    def __str__(self) -> str:
        def word(flag: bool | None) -> str:
            return {True: "yes", False: "no", None: "unknown"}[flag]

        return (
            f"{self.base_url}: classic {{inputs}}: {word(self.classic)}, OpenAI /v1/...: "
            f"{word(self.openai)} ({self.how})"
        )


def _answer(
    text: str,
    response: requests.Response,
    payload: dict[str, Any],
    data: Any,
    started: float,
    details: dict[str, Any] | None,
    finish_reason: str | None,
    usage: dict[str, Any] | None = None,
) -> Generation:
    """Return the Generation of a text-generation answer, in either shape."""
    return Generation(
        text=text,
        details=details,
        answered_by=answered_by(response),
        payload=payload,
        status=response.status_code,
        request_id=request_id_of(response),
        seconds=time.perf_counter() - started,
        raw=data,
        headers=dict(response.headers),
        finish_reason=finish_reason,
        usage=usage,
    )


class InferenceSession:
    """Calls the classic task contract and the Hub API with one reusable Session.

    ``retries=0`` turns retries off (the error demos use it, to show one failure).
    ``allow_plain_http`` lets the token travel over http to any host: only for throw-away
    stand-in tokens (a workshop stand-in on the room's network), never for a real token.
    ``url_settings`` maps a base URL to the setting it came from (``{router: "HF_ROUTER_URL"}``),
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
        self.url_settings = {
            base.rstrip("/"): name for base, name in (url_settings or {}).items() if base
        }
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

    def setting_of(self, url: str) -> tuple[str, str] | None:
        """Return (base URL, setting name) of the longest configured base ``url`` is under."""
        found = [
            (base, name)
            for base, name in self.url_settings.items()
            if url == base or url.startswith(base + "/")
        ]
        return max(found, key=lambda pair: len(pair[0])) if found else None

    def connection_hint(self, url: str) -> str | None:
        """Return the hint for "nothing answers at ``url``", naming the setting that chose it."""
        found = self.setting_of(url)
        if found is None:
            return None
        base, name = found
        if name == STANDIN_URL_ENV_VAR:
            return (
                f"The room's stand-in at {base} ({name}) is not answering: ask whether it is "
                f"still running, or remove {name} and run connect() again to use a stand-in "
                "on this machine."
            )
        return (
            f"Nothing answers at {base} ({name}): check your network connection (a proxy or "
            f"firewall?) and the URL in {name}, then run connect() again."
        )

    def request(
        self, method: str, url: str, *, auth: bool = True, **kwargs: Any
    ) -> requests.Response:
        """Send a request and return the successful response; raise an HFError otherwise."""
        try:
            return self._send(method, url, auth=auth, **kwargs)
        except (ConnectionFailedError, RequestTimeoutError) as error:
            hint = self.connection_hint(url)
            if hint:
                error.hint = hint
            raise

    def _send(
        self, method: str, url: str, *, auth: bool = True, **kwargs: Any
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if auth and self._token:
            if not self.allow_plain_http:
                check_transport(url)
            headers["Authorization"] = f"Bearer {self._token}"
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = self.session.request(method, url, headers=headers, **kwargs)
        except requests.exceptions.ConnectTimeout:
            raise RequestTimeoutError(
                f"Nothing at {url} accepted the connection within {kwargs['timeout']} s "
                "(connect timeout).",
                url=url,
                phase="connect",
            ) from None
        except requests.exceptions.Timeout:
            raise RequestTimeoutError(
                f"Connected to {url}, but no answer came in time (read timeout).", url=url
            ) from None
        except requests.exceptions.RetryError as exc:
            raise ConnectionFailedError(f"Gave up on {url} after retries: {exc}", url=url) from None
        except requests.exceptions.ConnectionError as exc:
            reason = str(exc.args[0]) if exc.args else type(exc).__name__
            if "Read timed out" in reason:
                raise RequestTimeoutError(
                    f"Connected to {url}, but no answer came in time (read timeout).", url=url
                ) from None
            if "ConnectTimeoutError" in reason or "Connect timeout" in reason:
                raise RequestTimeoutError(
                    f"Nothing at {url} accepted the connection in time (connect timeout).",
                    url=url,
                    phase="connect",
                ) from None
            raise ConnectionFailedError(
                f"Could not connect to {url}: {connection_reason(reason)}", url=url
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
        finish_reason = (details or {}).get("finish_reason")
        return _answer(text, response, payload, data, started, details, finish_reason)

    def completion(
        self, url: str, model: str, prompt: str, *, max_tokens: int = 20, **options: Any
    ) -> Generation:
        """Return the Generation for ``prompt`` from an OpenAI completions route.

        ``url`` is a base such as ``{router}/hf-inference/models/{id}`` or an Inference
        Endpoint's URL; ``/v1/completions`` is added unless it is already there. ``options``
        are OpenAI completions fields (``temperature``, ``top_p``, ``stop``, ``seed``...).
        The text is ``choices[0].text`` (the continuation only, without the prompt).

        >>> session.completion(base, "openai-community/gpt2", "Hi", max_tokens=5)  # doctest: +SKIP
        Generation(text=' there, how are you', ...)
        """
        check_completion_options(options)
        body = {"model": model, "prompt": prompt, "max_tokens": max_tokens, **options}
        started = time.perf_counter()
        data, response = self.json("POST", completions_url(url), json=body)
        text, finish_reason, usage = parse_completion(data)
        return _answer(text, response, body, data, started, None, finish_reason, usage)

    def stream_completion(
        self, url: str, model: str, prompt: str, *, max_tokens: int = 20, **options: Any
    ) -> Iterator[dict]:
        """Yield the OpenAI completions chunks (``choices[0].text`` each) until ``[DONE]``.

        ``sse.completion_texts(events)`` turns them into text pieces.
        """
        check_completion_options(options)
        body = {
            "model": model,
            "prompt": prompt,
            "max_tokens": max_tokens,
            **options,
            "stream": True,
        }
        yield from self._stream("POST", completions_url(url), json=body)

    def routes_spoken(self, base_url: str, timeout: float = 5.0) -> RoutesSpoken:
        """Return which request shapes the server at ``base_url`` answers.

        Asks ``GET {base}/info`` first: TGI answers it (``model_id``, ``version``) and speaks
        both shapes. Then ``GET {base}/v1/models``: vLLM and SGLang answer it and speak the
        OpenAI routes only. A server that answers neither (an Inference Toolkit endpoint, the
        router's per-model URLs) is reported as unknown: try the call and read the error.
        """
        info = self._probe(join(base_url, "info"), timeout)
        if isinstance(info, dict) and "model_id" in info:
            engine = "TGI " + str(info.get("version", "")).strip()
            return RoutesSpoken(base_url, True, True, engine.strip(), "GET /info answered")
        models = self._probe(join(base_url, "v1/models"), timeout)
        if isinstance(models, dict) and isinstance(models.get("data"), list):
            owner = next((m.get("owned_by") for m in models["data"] if isinstance(m, dict)), None)
            return RoutesSpoken(base_url, None, True, owner, "GET /v1/models answered")
        return RoutesSpoken(base_url, None, None, None, "neither /info nor /v1/models answered")

    def _probe(self, url: str, timeout: float) -> Any:
        """Return the JSON of ``GET url``, or None when it fails in any way."""
        try:
            data, _ = self.json("GET", url, timeout=(min(timeout, 3.05), timeout))
        except APIError:
            return None
        return data

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

        ``GET /api/models/{id}?expand[]=inferenceProviderMapping`` answers an object keyed
        by provider (hub-docs ``docs/inference-providers/hub-api.md``; huggingface_hub
        2.4.0 ``hf_api.py``: "a dict on model_info and a list on list_models"); older answers
        and ``list_models`` use a list of objects with a ``provider`` field. Both work here.
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
                {**value, "provider": name} if isinstance(value, dict) else {"provider": name}
                for name, value in mapping.items()
            ]
        if isinstance(mapping, list):
            return [m for m in mapping if isinstance(m, dict)]
        return []
