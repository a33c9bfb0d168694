"""helpers.client.errors: one flat tree; every body shape gives the server's message."""

from __future__ import annotations

import inspect
import json

import pytest

from helpers import explain
from helpers.client import errors
from helpers.client.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    HFError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitError,
    ServerError,
    StreamError,
    error_from_parts,
    error_from_stream_event,
    parse_retry_after,
)

CLASSES = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, HFError)]
JSON = {"content-type": "application/json"}


def test_at_most_twelve_classes_and_the_tree_in_the_docstring_names_each():
    assert len(CLASSES) <= 12
    for cls in CLASSES:
        assert cls.__name__ in errors.__doc__, cls


@pytest.mark.parametrize("cls", [c for c in CLASSES if issubclass(c, APIError)])
def test_no_http_answer_is_a_value_or_lookup_error(cls):
    assert not issubclass(cls, (ValueError, LookupError))


def test_refused_before_sending_is_a_value_error_without_a_status():
    error = ConfigurationError("bad", parameter="temperature")
    assert isinstance(error, ValueError) and not hasattr(error, "status")


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "message"),
    [
        (400, '"Model requires a Pro subscription"', JSON, BadRequestError, "Model requires"),
        (400, '{"error": "x", "error_type": "validation"}', JSON, BadRequestError, "x"),
        (401, '{"error": "Invalid username or password."}', JSON, AuthenticationError, "Invalid"),
        (402, '{"error": "You have exceeded your monthly included credits"}', JSON,
         PaymentRequiredError, "monthly included credits"),
        (403, '{"error": {"message": "no permission", "type": "auth"}}', JSON,
         AuthenticationError, "no permission"),
        (404, "Not Found", {"content-type": "text/plain"}, NotFoundError, "Not Found"),
        (410, '{"error": "https://api-inference.huggingface.co is no longer supported."}', JSON,
         NotFoundError, "no longer supported"),
        (413, "", {}, BadRequestError, "HTTP 413 with an empty body"),
        (422, '{"error": "Input validation error: `temperature` must be strictly positive",'
              ' "error_type": "validation"}', JSON, BadRequestError, "strictly positive"),
        (422, '{"detail": [{"loc": ["body"], "msg": "field required"}]}', JSON,
         BadRequestError, "field required"),
        (429, '{"error": "Too Many Requests"}', {**JSON, "Retry-After": "3"}, RateLimitError,
         "Too Many"),
        (502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
         {"content-type": "text/html"}, ServerError, "502 Bad Gateway"),
        (503, '{"error": "Model is loading", "estimated_time": 20.5}', JSON, ServerError,
         "loading"),
        (418, "[1, 2]", {}, APIError, "1; 2"),
    ],
)  # fmt: skip
def test_every_status_and_body_shape_gives_its_class_and_the_servers_message(
    status, body, headers, cls, message
):
    error = error_from_parts(status, body, {**headers, "x-request-id": "rid-1"}, "https://h/x")
    assert type(error) is cls
    assert error.status == status and message in error.message
    assert error.request_id == "rid-1" and "rid-1" in str(error)
    assert error.body == body


def test_retry_after_and_estimated_time_are_kept():
    assert error_from_parts(429, "", {"Retry-After": "2.5"}).retry_after == 2.5
    assert error_from_parts(503, json.dumps({"estimated_time": 7}), JSON).estimated_time == 7.0
    assert error_from_parts(503, "{}", JSON).estimated_time is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("-1", 0.0), ("", None), (None, None), ("soon", None),
     ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0)],
)  # fmt: skip
def test_parse_retry_after_reads_seconds_and_http_dates(value, expected):
    assert parse_retry_after(value, now=1445412480.0) == expected


@pytest.mark.parametrize(
    ("status", "body", "url", "says"),
    [
        (410, "gone", "https://api-inference.huggingface.co/models/x/y",
         "router.huggingface.co/hf-inference/models/x/y"),
        (410, "gone", "https://api-inference.huggingface.co/models/gpt2", "gpt2 is served by no"),
        (401, "Invalid username or password.", None, "Authorization: Bearer"),
        (403, "x", None, "Make calls to Inference Providers"),
        (429, "slow down", None, "backoff"),
    ],
)  # fmt: skip
def test_the_hint_is_the_fix_that_explain_gives(status, body, url, says):
    error = error_from_parts(status, body, {}, url)
    assert says in error.hint and f"How to fix it: {error.hint}" in str(error)
    assert explain(error) == f"{error.cause} {error.hint}"


def test_a_hint_given_by_the_caller_wins():
    assert APIError("odd", hint="Print error.body.").hint == "Print error.body."
    assert ConfigurationError("bad").hint.startswith("Check .env")


@pytest.mark.parametrize(
    ("event", "kind", "message"),
    [
        ({"error": "Request failed during generation", "error_type": "generation"},
         "generation", "during generation"),
        ({"error": {"message": "overloaded", "type": "overloaded_error"}},
         "overloaded_error", "overloaded"),
        ({"error": "boom"}, None, "boom"),
    ],
)  # fmt: skip
def test_a_stream_error_event_keeps_the_servers_type_and_no_status(event, kind, message):
    error = error_from_stream_event(event, "https://h/x")
    assert type(error) is StreamError
    assert error.status is None and error.error_type == kind and message in error.message
