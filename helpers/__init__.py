"""Shared helpers for the Hugging Face inference tutorial notebooks.

Start every notebook with ``hf = connect()``: it picks the live service or the local
stand-in and says which one will answer.
"""

from .client import Generation, InferenceSession, answered_by, parse_generation
from .config import (
    HUB_API_URL,
    LEGACY_INFERENCE_URL,
    ROUTER_URL,
    Settings,
    find_token,
    get_token,
    redact,
)
from .connection import CHAT_MODEL, GPT2, Connection, connect, local_token
from .errors import (
    AuthenticationError,
    BadRequestError,
    ConnectionFailedError,
    EndpointGoneError,
    HFError,
    InsecureTransportError,
    MissingTokenError,
    ModelLoadingError,
    ModelNotFoundError,
    ParameterError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    error_from_response,
)
from .payload import build_payload
from .tokens import TokenSummary, token_summary

__all__ = [
    "CHAT_MODEL",
    "GPT2",
    "HUB_API_URL",
    "LEGACY_INFERENCE_URL",
    "ROUTER_URL",
    "AuthenticationError",
    "BadRequestError",
    "Connection",
    "ConnectionFailedError",
    "EndpointGoneError",
    "Generation",
    "HFError",
    "InferenceSession",
    "InsecureTransportError",
    "MissingTokenError",
    "ModelLoadingError",
    "ModelNotFoundError",
    "ParameterError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ServerError",
    "Settings",
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
    "parse_generation",
    "redact",
    "token_summary",
]
