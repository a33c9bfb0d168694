"""``explain()``: a cause and a fix for every error body the course cites, whoever raised it.

The bodies are the literal ones of notebooks/REFERENCES.md ("Errors", "Streaming"); each HTTP
row is explained from a ``requests.Response``, huggingface_hub's ``HfHubHTTPError`` and openai's
``APIStatusError``, which must all say the same specifics.
"""

from __future__ import annotations

import json
import re

import httpx2
import pytest
import requests

from helpers import explain
from helpers.client.errors import error_from_stream_event
from helpers.contract import (
    INVALID_TOKEN_MESSAGE,
    LEGACY_GONE_MESSAGE,
    MISSING_TOKEN_MESSAGE,
    PAYMENT_REQUIRED_MESSAGE,
)

CHAT = "https://router.huggingface.co/v1/chat/completions"
GPT2 = "https://router.huggingface.co/hf-inference/models/openai-community/gpt2"
ENVELOPE = {"error": {"message": "The requested model 'acme/tiny' is not supported by any provider "
                      "you have enabled.", "type": "invalid_request_error", "param": "model",
                      "code": "model_not_supported"}}  # fmt: skip
FORBIDDEN = ("This authentication method does not have sufficient permissions to call Inference "
             "Providers on behalf of user ada")  # fmt: skip
# (case, status, body, content type, extra headers, url, words the explanation must hold)
HTTP = [
    ("401 no token", 401, {"error": MISSING_TOKEN_MESSAGE}, None, {}, CHAT, ["no token reached", "HF_TOKEN"]),
    ("401 wrong token", 401, {"error": INVALID_TOKEN_MESSAGE}, None, {}, CHAT, ["does not know this token", "settings/tokens"]),
    ("402", 402, {"error": PAYMENT_REQUIRED_MESSAGE}, None, {}, CHAT, ["credits are spent", "Retrying does not help"]),
    ("403", 403, {"error": FORBIDDEN}, None, {}, CHAT, ["on behalf of user ada", "Make calls to Inference Providers"]),
    ("404 plain text", 404, "Not Found", "text/plain", {}, GPT2, ["'Not Found'", "openai-community/gpt2 is not served at this URL", "--model openai-community/gpt2"]),
    ("407 proxy", 407, "<html><title>Proxy Authentication Required</title></html>", "text/html", {}, CHAT,
     ["'Proxy Authentication Required'", "HTTPS_PROXY"]),
    ("410", 410, {"error": LEGACY_GONE_MESSAGE}, None, {}, "https://api-inference.huggingface.co/models/gpt2",
     ["retired", "https://router.huggingface.co/v1/chat/completions"]),
    ("422 TGI", 422, {"error": "Input validation error: `top_p` must be > 0.0 and < 1.0", "error_type": "validation"},
     None, {}, GPT2, ["HTTP 422", "Change `top_p`"]),
    ("424 TGI", 424, {"error": "Request failed during generation: CUDA OOM", "error_type": "generation"}, None, {}, GPT2,
     ["failed while generating (HTTP 424)", "CUDA OOM", "Retry once"]),
    ("429 Retry-After", 429, {"error": "Too many requests"}, None, {"Retry-After": "17"}, CHAT, ["wait 17 s", "Wait 17 s"]),
    ("429 without", 429, {"error": "Model is overloaded", "error_type": "overloaded"}, None, {}, GPT2, ["overloaded", "backoff"]),
    ("429 bare", 429, "Too Many Requests", "text/plain", {}, CHAT, ["no Retry-After", "backoff"]),
    ("503 loading", 503, {"error": "Model openai-community/gpt2 is currently loading", "estimated_time": 20.0}, None, {}, GPT2,
     ["openai-community/gpt2 is loading (estimated 20 s)", "Wait about 20 s"]),
    ("504", 504, "Gateway Timeout", "text/plain", {"x-inference-provider": "novita"}, CHAT, ["provider novita", "Retry later"]),
    ("500", 500, {"error": "Internal Error, please report to us"}, None, {"x-request-id": "Root=1-68fc2a42-abc"}, CHAT,
     ["Internal Error", "Request id: Root=1-68fc2a42-abc"]),
    ("OpenAI envelope", 400, ENVELOPE, None, {}, CHAT, ["no provider you have enabled serves acme/tiny", "/v1/models"]),
]  # fmt: skip


def _parts(body, content_type):
    text = body if isinstance(body, str) else json.dumps(body)
    return text, content_type or "application/json"


def as_requests(status, body, content_type, headers, url):
    text, kind = _parts(body, content_type)
    response = requests.Response()
    response.status_code, response._content, response.url = status, text.encode(), url
    response.headers.update({"Content-Type": kind, **headers})
    return response


def as_httpx(status, body, content_type, headers, url):
    text, kind = _parts(body, content_type)
    return httpx2.Response(status, content=text.encode(), headers={"Content-Type": kind, **headers},
                           request=httpx2.Request("POST", url))  # fmt: skip


def as_hf_hub(*parts):
    from huggingface_hub.errors import HfHubHTTPError

    return HfHubHTTPError("Client error", response=as_httpx(*parts))


def as_openai(*parts):
    import openai

    response = as_httpx(*parts)
    return openai.APIStatusError("Error code", response=response, body=response.text)


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", re.sub(r"'[^']*'|`[^`]*`|\([^)]*\)", "", text)))


@pytest.mark.parametrize(
    "carrier", [as_requests, as_hf_hub, as_openai], ids=["requests", "hf_hub", "openai"]
)
@pytest.mark.parametrize(
    ("case", "status", "body", "kind", "headers", "url", "says"), HTTP, ids=[h[0] for h in HTTP]
)
def test_every_cited_body_gets_its_cause_and_fix(carrier, case, status, body, kind, headers, url, says):  # fmt: skip
    text = explain(carrier(status, body, kind, headers, url))
    for words in says:
        assert words in text, text
    assert 2 <= sentences(text) <= 4, text


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raised(call):
    try:
        call()
    except Exception as error:
        return error
    raise AssertionError("nothing was raised")


def _exceptions():
    import openai
    from huggingface_hub.errors import InferenceTimeoutError, ValidationError

    request = httpx2.Request("POST", CHAT)
    return [
        ("dns", lambda: raised(lambda: requests.get("https://nothing-here.invalid/")), ["nothing-here.invalid does not resolve"]),
        ("refused", lambda: raised(lambda: requests.get(f"http://127.0.0.1:{closed_port()}/")), ["No connection to 127.0.0.1", "(Connection refused)"]),
        ("connect timeout", lambda: requests.exceptions.ConnectTimeout("timed out"), ["connect timeout", "read timeout does not help"]),
        ("read timeout", lambda: requests.exceptions.ReadTimeout("Read timed out"), ["read timeout", "stream"]),
        ("hf timeout", lambda: InferenceTimeoutError("Inference call timed out"), ["read timeout"]),
        ("openai timeout", lambda: openai.APITimeoutError(request=request), ["router.huggingface.co", "timeout"]),
        ("openai connection", lambda: openai.APIConnectionError(request=request), ["No connection to router.huggingface.co"]),
        ("TGI stream event", lambda: error_from_stream_event({"error": "Request failed during generation: boom", "error_type": "generation"}),
         ["failed while generating", "boom"]),
        ("TGI OpenAI stream event", lambda: error_from_stream_event({"error": {"message": "Input validation error: `stop` supports up to 4", "http_status_code": 422}}),
         ["Change `stop`"]),
        ("hf ValidationError", lambda: ValidationError("Input validation error: `temperature` must be strictly positive"), ["Change `temperature`"]),
        ("openai stream error", lambda: openai.APIError("stream", request, body={"message": "Input validation error: `top_k`", "http_status_code": 422}),
         ["Change `top_k`"]),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(len(_exceptions())), ids=[e[0] for e in _exceptions()])
def test_every_failure_without_an_answer_gets_its_cause_and_fix(index):
    _, make, says = _exceptions()[index]
    text = explain(make())
    for words in says:
        assert words in text, text
    assert 2 <= sentences(text) <= 4, text


def test_a_success_and_a_wrong_argument():
    assert "nothing failed" in explain(as_requests(200, {"ok": 1}, None, {}, CHAT))
    with pytest.raises(TypeError, match="response or an exception"):
        explain("HTTP 404")
