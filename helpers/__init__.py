"""Shared helpers for the Hugging Face inference tutorial notebooks.

Start every notebook with ``hf = connect()``: it picks the live service or the local
stand-in, says which one will answer and why, and exports ``HF_ROUTER_URL``, ``HF_HUB_URL``,
``HF_ENDPOINT_URL``, ``HF_TOKEN`` and ``HF_TUTORIAL_MODE`` for standalone snippet cells. The package has four layers, each a folder:

- ``helpers.contract``: facts both sides share (model ids, URLs, headers, limits, messages);
- ``helpers.client``: what a learner may copy (config, errors, session, payload, sse, ...);
- ``helpers.lessons``: notebook conveniences (``connect()``, explorer, cost calculator);
- ``helpers.standin``: the local stand-in of the API (FastAPI + uvicorn);
- ``helpers.tools``: developer tools run as ``python -m helpers.tools.NAME``.

Dependencies point one way (``tests/test_layers.py`` checks it): client and standin import
only ``contract`` and ``data``; lessons may import both; tools anything.
"""

from .client.config import (
    HUB_API_URL,
    Settings,
    find_token,
    get_token,
    redact,
)
from .client.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConnectionFailedError,
    EndpointGoneError,
    GenerationError,
    HFError,
    IncompleteGenerationError,
    InsecureTransportError,
    MissingTokenError,
    ModeError,
    ModelLoadingError,
    ModelNotFoundError,
    OverloadedError,
    ParameterError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StreamError,
    StreamValidationError,
    UnexpectedResponseError,
    ValidationError,
    error_from_response,
)
from .client.payload import build_payload
from .client.session import (
    Generation,
    InferenceSession,
    RoutesSpoken,
    answered_by,
    parse_completion,
    parse_generation,
)
from .client.tokens import TokenSummary, token_summary
from .contract import CHAT_MODEL, GPT2, LEGACY_INFERENCE_URL, ROUTER_URL
from .lessons.connection import Connection, connect, local_token

__all__ = [
    "CHAT_MODEL",
    "GPT2",
    "HUB_API_URL",
    "LEGACY_INFERENCE_URL",
    "ROUTER_URL",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "Connection",
    "ConnectionFailedError",
    "EndpointGoneError",
    "Generation",
    "GenerationError",
    "HFError",
    "IncompleteGenerationError",
    "InferenceSession",
    "InsecureTransportError",
    "MissingTokenError",
    "ModeError",
    "ModelLoadingError",
    "ModelNotFoundError",
    "OverloadedError",
    "ParameterError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "RoutesSpoken",
    "ServerError",
    "Settings",
    "StreamError",
    "StreamValidationError",
    "TokenSummary",
    "UnexpectedResponseError",
    "ValidationError",
    "answered_by",
    "build_payload",
    "connect",
    "error_from_response",
    "find_token",
    "get_token",
    "local_token",
    "parse_completion",
    "parse_generation",
    "redact",
    "token_summary",
]
