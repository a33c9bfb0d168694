"""Facts the client and the stand-in share: model ids, URLs, headers, limits, messages, TGI's rules.

Each is written once; this module imports nothing of ours, so every layer may import it.
Sources are in ``notebooks/REFERENCES.md`` (section names in brackets).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

GPT2 = "openai-community/gpt2"
"""The classic tutorials' model (its old id ``gpt2`` redirects to this one on the Hub)."""
CHAT_MODEL = "openai/gpt-oss-120b"
"""A chat model of the router's docs' examples; availability changes: check /v1/models."""
ROUTER_URL = "https://router.huggingface.co"
HUB_URL = "https://huggingface.co"
LEGACY_INFERENCE_URL = "https://api-inference.huggingface.co"
"""The classic tutorials' host. It answers 410 Gone since about December 2025 [legacy-host]."""
LEGACY_PREFIX = "/api-inference.huggingface.co"  # where the stand-in emulates the retired host
ENDPOINT_PREFIX = "/endpoints/gpt2"  # the stand-in's emulated Inference Endpoint running gpt2

TOKEN_ENV_VARS = ("HF_TOKEN", "HUGGINGFACE_API_TOKEN")
MODE_ENV_VAR = "HF_TUTORIAL_MODE"
ENDPOINT_ENV_VAR = "HF_ENDPOINT_URL"
STANDIN_URL_ENV_VAR = "HF_STANDIN_URL"
ROUTER_URL_ENV_VAR = "HF_ROUTER_URL"
HUB_URL_ENV_VAR = "HF_HUB_URL"
STAND_IN_HEADER = "X-Stand-In"
"""Every answer of the stand-in carries it; the real service never does."""
PROVIDER_HEADER = "x-inference-provider"
REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-trace-id", "x-amz-cf-id")
TOKEN_PATTERN = re.compile(r"hf_[A-Za-z]{34}")
"""A well-formed user access token: ``hf_`` and 34 ASCII letters (gitleaks' rule) [tokens]."""

# TGI's launcher defaults [tgi-rules]; for gpt2 (launcher ``main.rs`` @ ``db931fcf``):
MAX_STOP_SEQUENCES = 4
MAX_BEST_OF = 2
MAX_TOP_N_TOKENS = 5
MAX_BODY_BYTES = 2_000_000  # TGI's --payload-limit: larger bodies get 413
MAX_TOTAL_TOKENS = 1024
"""gpt2's context (``n_positions``), the launcher's default ``--max-total-tokens``."""
MAX_INPUT_TOKENS = 1023
TGI_VERSION = "3.3.6-dev0"
"""What the emulated endpoint's ``/info`` reports (TGI ``Cargo.toml`` @ ``db931fcf``)."""

# The service's literal messages [errors]
MISSING_TOKEN_MESSAGE = "Invalid username or password."
INVALID_TOKEN_MESSAGE = "Invalid credentials in Authorization header"
NO_INFERENCE_PERMISSION_MESSAGE = (
    "This authentication method does not have sufficient permissions to call Inference "
    "Providers on behalf of user {user}"
)
PAYMENT_REQUIRED_MESSAGE = (
    "You have exceeded your monthly included credits for Inference Providers. "
    "Subscribe to PRO to get 20x more monthly included credits."
)
LEGACY_GONE_MESSAGE = (
    "https://api-inference.huggingface.co is no longer supported. "
    "Please use https://router.huggingface.co instead."
)
MODEL_NOT_SUPPORTED_MESSAGE = (
    "The requested model '{model}' is not supported by any provider you have enabled."
)
NOT_FOUND_BODY = "Not Found"
"""The router's 404 body: plain text, not JSON."""
SENTIMENT_MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
"""The sentiment example of the text-classification task page [router]."""
HF_INFERENCE_LLM = "HuggingFaceTB/SmolLM3-3B"
"""An LLM of hf-inference's examples until 2026-02-26 (hub-docs ``450b1395``), none since
2026-07-01: the teaching stand-in serves it, the today profile answers 404."""

# TGI's parameter rules [tgi-rules]: {TGI's message: broken(value, parameters)}, in TGI's order,
# read by the client's pre-send check and the stand-in's validation. Messages word for word from
# router/src/validation.rs @ db931fcf (stream-only ones from server.rs); each rule reads the
# parameter its message names first. "inputs" is the prompt's token count after ``truncate``.


def _sampling(p: Mapping[str, Any]) -> bool:
    keys = ("temperature", "top_k", "top_p", "typical_p")
    return bool(p.get("do_sample")) or any(p.get(k) is not None for k in keys)


TGI_RULES: dict[str, Callable[[Any, Mapping[str, Any]], bool]] = {
    "`best_of` must be > 0 and <= {MAX_BEST_OF}. Given: {value}": lambda v, p: (
        not p.get("stream") and v > MAX_BEST_OF
    ),
    "`best_of` != 1 is not supported when streaming tokens": lambda v, p: (
        bool(p.get("stream")) and v != 1
    ),
    "`decoder_input_details` == true is not supported when streaming tokens": lambda v, p: (
        bool(p.get("stream")) and v is True
    ),
    "you must use sampling when `best_of` is > 1": lambda v, p: v > 1 and not _sampling(p),
    "`temperature` must be strictly positive": lambda v, p: v <= 0,
    "`repetition_penalty` must be strictly positive": lambda v, p: v <= 0,
    "`frequency_penalty` must be >= -2.0 and <= 2.0": lambda v, p: not -2.0 <= v <= 2.0,
    "`top_p` must be > 0.0 and < 1.0": lambda v, p: not 0.0 < v < 1.0,
    "`typical_p` must be > 0.0 and < 1.0": lambda v, p: not 0.0 < v < 1.0,
    "`top_k` must be strictly positive": lambda v, p: v <= 0,
    "`max_new_tokens` must be strictly positive": lambda v, p: v == 0,
    "`stop` supports up to {MAX_STOP_SEQUENCES} stop sequences. Given: {count}": lambda v, p: (
        len(v) > MAX_STOP_SEQUENCES
    ),
    "`seed` must not be set when `best_of` > 1": lambda v, p: (p.get("best_of") or 1) > 1,
    "`top_n_tokens` must be >= 0 and <= {MAX_TOP_N_TOKENS}. Given: {value}": lambda v, p: (
        v > MAX_TOP_N_TOKENS
    ),
    "`inputs` cannot be empty": lambda v, p: v == 0,
    "`truncate` must be strictly positive and less than {MAX_INPUT_TOKENS}. Given: {value}": (
        lambda v, p: v == 0 or v > MAX_INPUT_TOKENS
    ),
    "`inputs` tokens + `max_new_tokens` must be <= {MAX_TOTAL_TOKENS}. "
    "Given: {value} `inputs` tokens and {max_new} `max_new_tokens`": lambda v, p: (
        v + p["max_new"] > MAX_TOTAL_TOKENS
    ),
    "`inputs` must have less than {MAX_INPUT_TOKENS} tokens. Given: {value}": lambda v, p: (
        v > MAX_INPUT_TOKENS
    ),
}


def tgi_violations(parameters: Mapping[str, Any], *, input_tokens: int | None = None) -> list[str]:
    """Return TGI's messages for every rule ``parameters`` break, in TGI's order (empty: fine);
    ``input_tokens`` enables the rules on ``inputs``. Values of a wrong JSON type break none."""
    p = {k: v for k, v in parameters.items() if v is not None}
    if input_tokens is not None:
        truncate = p.get("truncate")
        p["inputs"] = (
            min(input_tokens, truncate) if isinstance(truncate, int) and truncate else input_tokens
        )
        p["max_new"] = p.get("max_new_tokens", max(MAX_TOTAL_TOKENS - p["inputs"], 0))
    found = []
    for message, broken in TGI_RULES.items():
        name = re.search(r"`(\w+)`", message).group(1)
        try:
            if name in p and broken(p[name], p):
                count = len(p[name]) if isinstance(p[name], list) else None
                found.append(
                    message.format_map({**globals(), **p, "value": p[name], "count": count})
                )
        except TypeError:
            continue
    return found
