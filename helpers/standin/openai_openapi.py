"""OpenAPI pieces of the OpenAI-compatible routes: request bodies and route-specific answers.

The shared errors (token, limits, faults, body parsing) are added to every POST by
``openapi.build_document``; these are what only the OpenAI-shaped routes answer.
"""

from __future__ import annotations

from typing import Any

from .openai_compat import CHAT_ROLES, MAX_N, MAX_PROMPTS, MAX_TOP_LOGPROBS

_NUMBER = {"type": "number"}
_STOP = {
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "maxItems": 4}]
}
_STREAM_OPTIONS = {"type": "object", "properties": {"include_usage": {"type": "boolean"}}}
_SAMPLING = {
    "max_tokens": {"type": "integer", "minimum": 1},
    "temperature": {"type": "number", "minimum": 0, "maximum": 2},
    "top_p": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    "stop": _STOP,
    "seed": {"type": "integer", "minimum": 0},
    "n": {"type": "integer", "minimum": 1, "maximum": MAX_N},
    "frequency_penalty": {"type": "number", "minimum": -2, "maximum": 2},
    "presence_penalty": {"type": "number", "minimum": -2, "maximum": 2},
    "logit_bias": {"description": "Refused with 400 unless empty: not implemented"},
    "stream": {"type": "boolean"},
    "stream_options": _STREAM_OPTIONS,
}
_FUNCTION = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "parameters": {"type": "object", "description": "A JSON schema"},
    },
    "required": ["name"],
}
CHAT_REQUEST = {
    "type": "object",
    "properties": {
        "model": {"type": "string"},
        "messages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "role": {"enum": list(CHAT_ROLES)},
                    "content": {"anyOf": [{"type": "string"}, {"type": "array"}, {"type": "null"}]},
                    "tool_calls": {"type": "array"},
                    "tool_call_id": {"type": "string"},
                },
                "required": ["role"],
            },
        },
        **_SAMPLING,
        "max_completion_tokens": {"type": "integer", "minimum": 1},
        "logprobs": {"type": "boolean"},
        "top_logprobs": {"type": "integer", "minimum": 0, "maximum": MAX_TOP_LOGPROBS},
        "tools": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"type": {"const": "function"}, "function": _FUNCTION},
                "required": ["function"],
            },
        },
        "tool_choice": {
            "anyOf": [
                {"enum": ["auto", "none", "required"]},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": "function"},
                        "function": {
                            "type": "object",
                            "properties": {"name": {"type": "string"}},
                            "required": ["name"],
                        },
                    },
                    "required": ["function"],
                },
            ]
        },
        "tool_prompt": {"type": "string"},
        "response_format": {
            "type": "object",
            "properties": {
                "type": {"enum": ["text", "json_object", "json_schema"]},
                "json_schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "schema": {"type": "object"},
                        "strict": {"type": "boolean"},
                    },
                },
            },
            "required": ["type"],
        },
    },
    "required": ["messages"],
}
COMPLETION_REQUEST = {
    "type": "object",
    "properties": {
        "model": {"type": "string"},
        "prompt": {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "items": {"type": "string"}, "maxItems": MAX_PROMPTS},
            ]
        },
        **_SAMPLING,
        "echo": {"type": "boolean"},
        "logprobs": {"type": "integer", "minimum": 0, "maximum": MAX_TOP_LOGPROBS},
        "best_of": {"type": "integer", "description": "Only equal to n"},
        "suffix": {"description": "Refused, as TGI does"},
        "top_k": {"type": "integer", "description": "vLLM extension"},
        "repetition_penalty": {"type": "number", "description": "vLLM extension"},
    },
    "required": ["prompt"],
}
_OPENAI_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}
_TGI_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "error_type": {"type": "string"}},
}
_SSE = {"text/event-stream": {"schema": {"type": "string"}}}


def _ok(kind: str) -> dict[str, Any]:
    return {
        "description": f"The {kind}, or with `stream` server-sent events ending in data: [DONE]",
        "content": {"application/json": {"schema": {"type": "object"}}, **_SSE},
    }


_BAD_OPENAI = {
    "description": "A bad parameter, in OpenAI's error envelope (or a body that is not JSON, "
    "in plain text)",
    "content": {
        "application/json": {"schema": _OPENAI_ERROR},
        "text/plain": {"schema": {"type": "string"}},
    },
}


def openapi_extra(request_schema: dict[str, Any]) -> dict[str, Any]:
    """Return the ``openapi_extra`` that documents a route's JSON request body."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": request_schema}},
        }
    }


CHAT = {
    "openapi_extra": openapi_extra(CHAT_REQUEST),
    "responses": {200: _ok("chat.completion"), 400: _BAD_OPENAI},
}
COMPLETION = {
    "openapi_extra": openapi_extra(COMPLETION_REQUEST),
    "responses": {200: _ok("text_completion"), 400: _BAD_OPENAI},
}
ENDPOINT_COMPLETION = {
    "openapi_extra": openapi_extra(COMPLETION_REQUEST),
    "responses": {
        200: _ok("text_completion"),
        422: {
            "description": "TGI's validation error",
            "content": {"application/json": {"schema": _TGI_ERROR}},
        },
    },
}
ENDPOINT_CHAT = {
    "openapi_extra": openapi_extra(CHAT_REQUEST),
    "responses": {
        422: {
            "description": "gpt2 has no chat template: TGI's template_error",
            "content": {
                "application/json": {
                    "schema": _TGI_ERROR,
                    "example": {
                        "error": "Template error: template not found",
                        "error_type": "template_error",
                    },
                }
            },
        }
    },
}
MODEL_NOT_FOUND = {
    "description": "Not a chat model the router lists",
    "content": {"application/json": {"schema": _OPENAI_ERROR}},
}
