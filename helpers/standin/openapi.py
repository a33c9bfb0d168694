"""The stand-in's ``/openapi.json``: every route, body and status it really answers.

Routes document their own success bodies and route-specific errors (``responses=`` on the
decorator). What every route of a kind shares is added here once, so that no route forgets it:

- every POST operation reads a JSON body with ``body.read_json`` (400/413/415 in plain text,
  as TGI's axum extractor answers) and passes ``dependencies.admit`` (401/403 token, 429 rate
  limit, 402 credits, 404 model not served, 503 cold start, and the injected faults 500, 502,
  503, 504);
- the emulated dedicated Endpoint (``ENDPOINT_PREFIX``) checks the token and knobs on its
  GET routes too, as a protected Endpoint does;
- the retired host answers 410 to everything.

Finally every ``$ref`` must resolve inside the document (pydantic's local ``#/$defs/…`` do not,
once a schema is moved into an operation): such references are inlined.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..contract import (
    ENDPOINT_PREFIX,
    INVALID_TOKEN_MESSAGE,
    LEGACY_GONE_MESSAGE,
    LEGACY_PREFIX,
    NOT_FOUND_BODY,
    PAYMENT_REQUIRED_MESSAGE,
)

PLAIN = "text/plain"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "error_type": {"type": "string"}},
    "required": ["error"],
}


def _json_error(description: str, example: str, headers: dict | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ERROR_SCHEMA, "example": {"error": example}}},
    }
    if headers:
        answer["headers"] = headers
    return answer


def _plain(description: str, example: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PLAIN: {"schema": {"type": "string"}, "example": example}},
    }


BODY_ERRORS: dict[str, dict[str, Any]] = {
    "422": _plain(
        "JSON that does not fit the route's body (or, in JSON, a rule of the route refused)",
        "Failed to deserialize the JSON body into the target type: missing field `inputs`",
    ),
    "400": _plain(
        "Not JSON: syntax error, empty body, invalid UTF-8 or nesting too deep",
        "Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 0",
    ),
    "413": _plain(
        "Body over 2 MB (TGI's default payload limit), refused without reading the rest",
        "Failed to buffer the request body: length limit exceeded",
    ),
    "415": _plain(
        "Content-Type missing or not JSON",
        "Expected request with `Content-Type: application/json`",
    ),
}
RATE_LIMIT_HEADERS = {
    name: {"schema": {"type": "string"}, "description": text}
    for name, text in (
        ("Retry-After", "Seconds until the window resets"),
        ("RateLimit", 'IETF draft: "api";r=<remaining>;t=<seconds to reset>'),
        ("RateLimit-Policy", 'IETF draft: "fixed window";"api";q=<quota>;w=<window>'),
    )
}
FAULT_HTML = {"text/html": {"schema": {"type": "string"}}}
ADMISSION_ERRORS: dict[str, dict[str, Any]] = {
    "401": _json_error("Missing or malformed token", INVALID_TOKEN_MESSAGE),
    "402": _json_error("Credits spent (knob credits_usd)", PAYMENT_REQUIRED_MESSAGE),
    "403": _json_error("Token without the Inference Providers permission", "…on behalf of user …"),
    "404": _plain("Model not served on this route", NOT_FOUND_BODY),
    "429": _json_error(
        "Rate limit reached (knob rate_limit)", "Rate limit reached…", RATE_LIMIT_HEADERS
    ),
    "500": _json_error("Injected fault (knob fault_rate)", "Internal Error, please report to us"),
    "502": {"description": "Injected fault: a gateway's HTML page", "content": FAULT_HTML},
    "503": {
        "description": "Model loading (knob cold_start_s: JSON with estimated_time) or an "
        "injected fault (a gateway's HTML page)",
        "content": {
            "application/json": {
                "schema": {
                    **ERROR_SCHEMA,
                    "properties": {
                        **ERROR_SCHEMA["properties"],
                        "estimated_time": {"type": "number"},
                    },
                }
            },
            **FAULT_HTML,
        },
    },
    "504": _json_error("Injected fault (knob fault_rate)", "504 Server Error: Gateway Timeout"),
}
TOO_MANY_HEADERS = {
    "431": _plain(
        "More than 100 request headers (hyper's limit under TGI's router), on every route",
        "Request Header Fields Too Large: at most 100 headers",
    )
}
GONE = {"410": _json_error("The retired host: gone for every path", LEGACY_GONE_MESSAGE)}


def _resolve_refs(node: Any, document: dict[str, Any], defs: dict[str, Any]) -> Any:
    """Return ``node`` with every ``#/$defs/X`` reference inlined (from the nearest $defs)."""
    if isinstance(node, list):
        return [_resolve_refs(item, document, defs) for item in node]
    if not isinstance(node, dict):
        return node
    defs = {**defs, **node.get("$defs", {})}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.rsplit("/", 1)[-1]
        if name in defs:
            return _resolve_refs(copy.deepcopy(defs[name]), document, defs)
        schemas = document.get("components", {}).get("schemas", {})
        if name in schemas:
            return {"$ref": f"#/components/schemas/{name}"}
    return {k: _resolve_refs(v, document, defs) for k, v in node.items() if k != "$defs"}


def build_document(app: FastAPI) -> dict[str, Any]:
    """Return the OpenAPI document with the shared errors added and every reference resolved."""
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if path.startswith(LEGACY_PREFIX):
                responses.pop("200", None)
                responses.pop("422", None)
                responses.update(GONE)
                continue
            responses.update(TOO_MANY_HEADERS)
            shared = {}
            if method == "post":
                shared = {**BODY_ERRORS, **ADMISSION_ERRORS}
            elif path.startswith(ENDPOINT_PREFIX):  # a protected Endpoint checks every route
                shared = ADMISSION_ERRORS
            for status, answer in shared.items():
                responses.setdefault(status, answer)
    return _resolve_refs(document, document, {})


def document_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` return ``build_document(app)`` (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
