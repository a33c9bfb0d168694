"""helpers.client.errors: every body shape becomes our exception with the server's message."""

from __future__ import annotations

import pytest

from helpers.client import errors
from helpers.client.errors import error_from_parts, message_from_body, parse_retry_after

JSON = {"content-type": "application/json"}
TEXT = {"content-type": "text/plain"}
HTML = {"content-type": "text/html"}


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "message"),
    [
        (
            401,
            '{"error":"Invalid credentials in Authorization header"}',
            JSON,
            errors.AuthenticationError,
            "Invalid credentials in Authorization header",
        ),
        (
            401,
            '{"error":"Invalid username or password."}',
            JSON,
            errors.AuthenticationError,
            "Invalid username or password.",
        ),
        (
            402,
            '{"error":"You have exceeded your monthly included credits for Inference Providers."}',
            JSON,
            errors.PaymentRequiredError,
            "exceeded your monthly included credits",
        ),
        (
            403,
            '{"error":"This authentication method does not have sufficient permissions"}',
            JSON,
            errors.PermissionDeniedError,
            "sufficient permissions",
        ),
        (404, "Not Found", TEXT, errors.ModelNotFoundError, "Not Found"),
        (
            410,
            '{"error":"https://api-inference.huggingface.co is no longer supported."}',
            JSON,
            errors.EndpointGoneError,
            "no longer supported",
        ),
        (
            422,
            '{"error":"Input validation error: `top_p` must be > 0.0 and < 1.0","error_type":"validation"}',
            JSON,
            errors.ValidationError,
            "`top_p` must be > 0.0 and < 1.0",
        ),
        (
            400,
            '{"error":["Error in `inputs.context`: field required"]}',
            JSON,
            errors.BadRequestError,
            "field required",
        ),
        (
            400,
            '{"error":{"message":"The requested model is not supported","type":"invalid_request_error",'
            '"param":"model","code":"model_not_supported"}}',
            JSON,
            errors.BadRequestError,
            "The requested model is not supported",
        ),
        (
            429,
            '{"error":"Model is overloaded","error_type":"overloaded"}',
            JSON,
            errors.RateLimitError,
            "Model is overloaded",
        ),
        (
            500,
            '{"error":"Internal Error, please report to us"}',
            JSON,
            errors.ServerError,
            "Internal Error",
        ),
        (
            502,
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            HTML,
            errors.ServerError,
            "502 Bad Gateway",
        ),
        (
            503,
            '{"error":"Model gpt2 is currently loading","estimated_time":20.0}',
            JSON,
            errors.ModelLoadingError,
            "currently loading",
        ),
        (503, "", {}, errors.ServerError, "HTTP 503 with an empty body"),
        (504, '"Gateway Timeout"', JSON, errors.ServerError, "Gateway Timeout"),
        (
            418,
            '{"errors":[{"message":"first"},{"message":"second"}]}',
            JSON,
            errors.HFError,
            "first; second",
        ),
        (400, '{"error_description":"bad grant"}', JSON, errors.BadRequestError, "bad grant"),
        (400, '{"detail":"oops"}', JSON, errors.BadRequestError, "oops"),
        (500, '{"truncated": ', JSON, errors.ServerError, '{"truncated":'),
        (400, "[]", JSON, errors.BadRequestError, "[]"),
    ],
)
def test_every_body_shape_becomes_the_right_exception(status, body, headers, cls, message):
    error = error_from_parts(status, body, headers, "http://127.0.0.1/x")
    assert type(error) is cls
    assert error.status == status
    assert message in error.message
    assert error.hint


def test_header_message_wins_over_the_body():
    error = error_from_parts(500, "{}", {"X-Error-Message": "from header", **JSON})
    assert error.message == "from header"


@pytest.mark.parametrize("header", ["x-request-id", "X-Amzn-Trace-Id", "x-amz-cf-id"])
def test_request_id_is_kept(header):
    error = error_from_parts(500, "", {header: "abc-123"})
    assert error.request_id == "abc-123"
    assert "abc-123" in str(error)


def test_retry_after_is_read_on_429():
    error = error_from_parts(429, "", {"Retry-After": "7"})
    assert isinstance(error, errors.RateLimitError)
    assert error.retry_after == 7.0


def test_estimated_time_is_read_on_503():
    error = error_from_parts(503, '{"error":"loading","estimated_time":12.5}', JSON)
    assert error.estimated_time == 12.5


def test_retry_after_as_seconds_and_as_http_date():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 25 Nov 2026 10:00:30 GMT", now=1795600800.0) == pytest.approx(
        30.0
    )
    assert parse_retry_after("Wed, 25 Nov 2026 09:00:00 GMT", now=1795600800.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_builtin_bases_let_callers_catch_naturally():
    assert issubclass(errors.PermissionDeniedError, PermissionError)
    assert issubclass(errors.RequestTimeoutError, TimeoutError)
    assert issubclass(errors.ConnectionFailedError, ConnectionError)
    assert issubclass(errors.ValidationError, ValueError)
    assert issubclass(errors.ModelNotFoundError, LookupError)


def test_str_says_how_to_fix_it():
    error = error_from_parts(401, '{"error":"Invalid credentials in Authorization header"}', JSON)
    text = str(error)
    assert text.startswith("HTTP 401: Invalid credentials")
    assert "How to fix it:" in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": "x"}, "x"),
        ({"error": ["a", "b"]}, "a; b"),
        ({"error": {"message": "m"}}, "m"),
        (["a", {"error": "b"}], "a; b"),
        ("plain", "plain"),
        ({}, None),
        (None, None),
        (42, "42"),
    ],
)
def test_message_from_body(body, expected):
    assert message_from_body(body) == expected
