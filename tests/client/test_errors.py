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
            errors.APIError,
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


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.PermissionDeniedError, PermissionError),
        (errors.AuthenticationError, PermissionError),
        (errors.RequestTimeoutError, TimeoutError),
        (errors.ConnectionFailedError, ConnectionError),
        (errors.ModelNotFoundError, LookupError),
        (errors.APIError, OSError),
        (errors.ParameterError, ValueError),
        (errors.InsecureTransportError, ValueError),
        (errors.ModeError, ValueError),
        (errors.MissingTokenError, RuntimeError),
    ],
)
def test_builtin_bases_let_callers_catch_naturally(cls, builtin):
    assert issubclass(cls, builtin)


HTTP_FAILURES = [
    cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, errors.APIError)
]


@pytest.mark.parametrize("cls", HTTP_FAILURES, ids=lambda c: c.__name__)
def test_except_value_error_never_catches_an_http_failure(cls):
    # bug caught: `except ValueError` around json parsing silently swallowing a 400 or a 422
    assert not issubclass(cls, ValueError)


@pytest.mark.parametrize(
    "cls", [errors.MissingTokenError, errors.InsecureTransportError, errors.ModeError]
)
def test_configuration_errors_are_not_http_errors_and_carry_no_http_fields(cls):
    error = cls("the set-up is wrong")
    assert isinstance(error, errors.ConfigurationError)
    assert not isinstance(error, errors.APIError)
    assert not any(hasattr(error, name) for name in ("status", "url", "body", "headers"))
    assert "How to fix it:" in str(error)


def test_parameter_error_is_refused_before_sending_and_has_no_status():
    error = errors.ParameterError("bad", parameter="top_p", value=1, rule="0 < top_p < 1")
    assert isinstance(error, ValueError) and not isinstance(error, errors.APIError)
    assert not hasattr(error, "status")


@pytest.mark.parametrize(
    "cls", sorted(HTTP_FAILURES, key=lambda c: c.__name__), ids=lambda c: c.__name__
)
def test_every_class_names_its_builtin_or_its_place_in_its_docstring(cls):
    assert cls.__doc__ and cls.__doc__.strip()
    assert cls.__name__ in errors.__doc__  # drawn in the tree at the top of the module


def test_all_is_pinned():
    public = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.HFError)
    }
    assert public <= set(errors.__all__)


# --- hints: the right replacement, the stand-in only when it is involved -------------------


def test_gone_hint_for_gpt2_points_to_an_own_endpoint_and_per_task_replacements():
    error = error_from_parts(
        410,
        '{"error":"https://api-inference.huggingface.co is no longer supported."}',
        JSON,
        "https://api-inference.huggingface.co/models/gpt2",
    )
    assert isinstance(error, errors.EndpointGoneError)
    hint = error.hint
    assert hint.startswith("gpt2 is not served by the router today") and "HF_ENDPOINT_URL" in hint
    assert "/v1/completions" in hint and "/v1/chat/completions" in hint
    assert "stand-in" not in hint


def test_gone_hint_names_the_model_for_classic_tasks():
    url = "https://api-inference.huggingface.co/models/facebook/bart-large-cnn"
    hint = error_from_parts(410, "{}", JSON, url).hint
    assert "https://router.huggingface.co/hf-inference/models/facebook/bart-large-cnn." in hint
    assert (
        "https://router.huggingface.co/hf-inference/models/facebook/bart-large-cnn/v1/completions"
        in hint
    )


def test_gone_hint_on_the_stand_in_says_how_to_reach_its_routes():
    url = "http://127.0.0.1:8000/api-inference.huggingface.co/models/gpt2"
    hint = error_from_parts(410, "{}", {**JSON, "X-Stand-In": "1"}, url).hint
    assert "stand-in" in hint


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('{"error":"Invalid username or password."}', "No token reached the server"),
        ('{"error":"Invalid credentials in Authorization header"}', "current token"),
    ],
)
def test_the_two_401_bodies_get_their_own_hints(body, words):
    error = error_from_parts(401, body, JSON)
    assert isinstance(error, errors.AuthenticationError)
    assert words in error.hint


def test_402_hint_mentions_the_stand_in_only_when_it_answered():
    live = error_from_parts(402, '{"error":"credits"}', JSON, "https://router.huggingface.co/x")
    local = error_from_parts(402, '{"error":"credits"}', {**JSON, "X-Stand-In": "1"}, "http://h/x")
    assert "stand-in" not in live.hint
    assert "stand-in" in local.hint


def test_connect_timeout_hint_never_advises_a_longer_read_timeout():
    error = errors.RequestTimeoutError("no connection", phase="connect", url="https://x")
    assert "does not help" in error.hint
    assert errors.RequestTimeoutError("slow", url="https://x").phase == "read"


# --- errors inside a stream ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "cls", "also"),
    [
        ("validation", errors.StreamValidationError, errors.ValidationError),
        ("overloaded", errors.OverloadedError, errors.RateLimitError),
        ("generation", errors.GenerationError, errors.ServerError),
        ("incomplete_generation", errors.IncompleteGenerationError, errors.ServerError),
        ("template_error", errors.StreamError, errors.StreamError),
    ],
)
def test_a_stream_error_is_chosen_by_its_type_and_invents_no_status(kind, cls, also):
    error = errors.error_from_stream_event({"error": "it broke", "error_type": kind}, "http://h/x")
    assert type(error) is cls and isinstance(error, also)
    assert error.status is None  # bug: 500 or 429 invented for an event that came after a 200
    assert error.error_type == kind
    assert "during the stream" in error.message and "it broke" in error.message
    assert not str(error).startswith("HTTP")


def test_openai_shaped_stream_error_uses_its_type():
    error = errors.error_from_stream_event({"error": {"message": "boom", "type": "server_error"}})
    assert type(error) is errors.StreamError and error.error_type == "server_error"
    assert "boom" in error.message


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
