"""Property-based tests: generated requests never crash the stand-in, and every error comes in
the shape its surface uses; generated bodies never crash the helpers' parsers.

The routes are read from the stand-in's own ``/openapi.json`` and each is assigned a surface:
a route that no fuzz test covers fails ``test_every_route_is_fuzzed``, so the fuzzing grows
with the surface. Example counts are fixed and derandomized, so the total is known:
2,050 generated requests against the stand-in (in process, no socket) and 3 × 250 generated
bodies and streams for the parsers.

Error shapes, per surface (what each test asserts on every 4xx):
- the router, in front of everything: 401/402/403/405/429 ``{"error": str}`` (405 with
  ``Allow``), unknown paths and models a plain-text ``Not Found``;
- TGI (classic routes, ``/endpoints/gpt2/...`` including its OpenAI routes): ``{"error": str,
  "error_type": str}``, or plain text for the JSON extractor's 400/413/415/422;
- OpenAI-compatible routes (router chat, per-model hf-inference routes, provider routes):
  ``{"error": {"message": str, "type": str, ...}}``;
- the Hub and the hf-inference pipelines: ``{"error": str}`` (the pipelines read bodies with
  the same reader as TGI, so their 400/413/415 are plain text too).
"""

from __future__ import annotations

import contextlib
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from helpers import HFError, local_token, parse_generation
from helpers.client.errors import error_from_parts
from helpers.client.sse import iter_events
from helpers.standin import StandInOptions, create_app
from helpers.standin.catalog import MODELS
from helpers.standin.routes.providers import PROVIDER_PATHS

APP = create_app(StandInOptions(stream_delay_ms=0))  # streams unpaced: the fuzzer waits on nothing
CLIENT = TestClient(APP, raise_server_exceptions=False)
AUTH = {"Authorization": f"Bearer {local_token()}"}
PATHS = {path: sorted(ops) for path, ops in APP.openapi()["paths"].items()}
PROVIDER_ROUTE = PATHS.pop("/{provider}/{path}")  # one route over the table of provider paths
PATHS |= {f"/{p}{path}": PROVIDER_ROUTE for p, paths in PROVIDER_PATHS.items() for path in paths}


def fuzz(n: int):
    """Hypothesis settings with a fixed, derandomized example count."""
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- the surfaces, read from /openapi.json -------------------------------------------------

TGI_ROUTES = [
    "/models/{model_id}",
    "/hf-inference/models/{model_id}",
    "/endpoints/gpt2",
    "/endpoints/gpt2/generate",
    "/endpoints/gpt2/generate_stream",
]
ENDPOINT_OPENAI = [p for p in PATHS if p.startswith("/endpoints/gpt2/v1/")]
OPENAI_CHAT = [
    p for p in PATHS if p.endswith("/chat/completions") and not p.startswith("/endpoints/")
]
OPENAI_COMPLETIONS = [
    p
    for p in PATHS
    if p.endswith("/completions")
    and not p.endswith("/chat/completions")
    and not p.startswith("/endpoints/")
]
PIPELINES = [p for p in PATHS if "/pipeline/" in p]
GET_ROUTES = [p for p, ops in PATHS.items() if ops == ["get"]]
LEGACY = [p for p in PATHS if p.startswith("/api-inference.huggingface.co")]
RESPONSES = ["/v1/responses"]


def test_every_route_is_fuzzed():
    covered = set(
        TGI_ROUTES + ENDPOINT_OPENAI + OPENAI_CHAT + OPENAI_COMPLETIONS + PIPELINES + GET_ROUTES
    )
    covered |= set(LEGACY) | set(RESPONSES)
    assert set(PATHS) - covered == set(), "a new route needs a fuzz test (and a surface)"
    assert len(OPENAI_CHAT) >= 10 and PIPELINES  # the provider routes and embeddings are there


CHAT_MODELS = sorted(m for m, info in MODELS.items() if info.is_chat)
ALL_MODELS = sorted(MODELS)
url_text = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="?#%\\"),
    max_size=24,
)
models = st.sampled_from(ALL_MODELS + ["gpt2", "nobody/nothing"]) | url_text
chat_models = (
    st.sampled_from(CHAT_MODELS)
    | st.builds(
        lambda m, s: f"{m}:{s}",
        st.sampled_from(CHAT_MODELS),
        st.sampled_from(["fastest", "cheapest", "preferred", "groq", "together", "nope"]),
    )
    | models
)


def mostly(valid, junk):
    """Draw from ``valid`` three times in four, so that most requests get past validation."""
    # (one_of would pick its branches with its own, unequal weights)
    return st.integers(0, 3).flatmap(lambda draw: valid if draw else junk)


def served_models(path: str) -> list[str]:
    """Return the model ids a chat/completions route serves (any, where it names none)."""
    if path.startswith("/hf-inference/"):
        return [m for m, i in MODELS.items() if i.pipeline_tag == "text-generation"]
    provider = path.strip("/").split("/")[0]
    served = [m for m, info in MODELS.items() if any(o.provider == provider for o in info.offers)]
    return served or CHAT_MODELS


def fill(path: str, model: str) -> str:
    """Return ``path`` with its ``{model_id}`` replaced."""
    return path.replace("{model_id}", model).replace("{rest}", model)


# --- what every answer must look like -------------------------------------------------------


def _json(response):
    try:
        return json.loads(response.text)
    except ValueError:
        raise AssertionError(f"not JSON: {response.status_code} {response.text[:200]!r}") from None


def check(response, surface: str) -> None:
    """Assert no 5xx, and an error body in the shape of ``surface``."""
    status = response.status_code
    ctype = response.headers.get("content-type", "")
    assert status < 500, (surface, status, response.text[:300])
    if status < 400:
        if not ctype.startswith("text/event-stream") and response.content:
            _json(response)
        return
    if status == 404 and ctype.startswith("text/plain"):
        assert response.text == "Not Found"
        return
    text_plain = ctype.startswith("text/plain")
    if status in (401, 402, 403, 405, 429):  # the router answers these before any provider
        assert isinstance(_json(response)["error"], str)
        if status == 405:
            assert response.headers.get("allow")
        return
    if surface == "pipeline" and text_plain:  # the body reader is shared with TGI's
        assert status in (400, 413, 415, 422) and response.text.strip()
        return
    if surface == "tgi":
        if text_plain:  # axum's JSON extractor: plain text (TGI router/src/server.rs)
            assert status in (400, 413, 415, 422) and response.text.strip()
            return
        body = _json(response)
        assert isinstance(body.get("error"), str) and isinstance(body.get("error_type"), str), body
    elif surface == "openai":
        error = _json(response).get("error")
        assert isinstance(error, dict), response.text[:300]
        assert isinstance(error.get("message"), str) and isinstance(error.get("type"), str)
    else:  # hub, pipelines, legacy
        body = _json(response)
        assert isinstance(body.get("error"), str), body
    assert "Traceback" not in response.text


# --- generated values -----------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
small_numbers = (
    st.none()
    | st.booleans()
    | st.integers(-3, 40)
    | st.sampled_from([0, -1, 4097, 10**6])
    | st.floats(-3, 3, allow_nan=False)
    | st.text(max_size=8)
)
param_values = small_numbers | st.lists(st.text(max_size=5), max_size=6) | json_values
grammars = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["json", "regex", "json_object", "x"]),
        "value": st.sampled_from(
            [
                {"type": "object", "properties": {"name": {"type": "string"}}},
                {"type": "array", "items": {"type": "integer"}},
                "[a-z]{3,8}",
                "(yes|no)",
                "((",
            ]
        )
        | json_values,
    }
)
valid_tgi_params = st.fixed_dictionaries(
    {"max_new_tokens": st.integers(1, 12)},
    optional={
        "temperature": st.floats(0.05, 2.0),
        "top_k": st.integers(1, 50),
        "top_p": st.floats(0.05, 0.99),
        "repetition_penalty": st.floats(0.5, 2.0),
        "frequency_penalty": st.floats(-2.0, 2.0),
        "do_sample": st.booleans(),
        "seed": st.integers(0, 2**32),
        "stop": st.lists(st.text(min_size=1, max_size=4), max_size=4),
        "return_full_text": st.booleans(),
        "details": st.booleans(),
        "decoder_input_details": st.just(False),
        "top_n_tokens": st.just(0) | st.none(),  # other values: a not-emulated 422
        "best_of": st.just(1) | st.none(),
        "truncate": st.none() | st.integers(1, 50),
        "watermark": st.just(False),
        "grammar": grammars,
    },
)
tgi_params = st.dictionaries(
    st.sampled_from(
        [
            "max_new_tokens",
            "temperature",
            "top_k",
            "top_p",
            "typical_p",
            "repetition_penalty",
            "frequency_penalty",
            "do_sample",
            "seed",
            "stop",
            "return_full_text",
            "details",
            "decoder_input_details",
            "top_n_tokens",
            "best_of",
            "truncate",
            "watermark",
            "adapter_id",
            "candidate_labels",
            "num_return_sequences",
        ]
    ),
    param_values,
    max_size=6,
) | st.fixed_dictionaries({"grammar": grammars, "max_new_tokens": st.integers(1, 12)})


@fuzz(80)
@given(
    route=st.sampled_from(TGI_ROUTES),
    model=mostly(st.sampled_from(["openai-community/gpt2", "gpt2"]), models),
    inputs=mostly(st.text(min_size=1, max_size=60), json_values),
    parameters=mostly(valid_tgi_params, tgi_params | json_values),
    stream=st.sampled_from([False, True, "yes", None]),
)
def test_tgi_routes_answer_in_tgi_shapes(route, model, inputs, parameters, stream):
    body = {"inputs": inputs, "parameters": parameters}
    if stream is not None:
        body["stream"] = stream
    check(CLIENT.post(fill(route, model), json=body, headers=AUTH), "tgi")


@fuzz(40)
@given(
    raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
    route=st.sampled_from(TGI_ROUTES + OPENAI_CHAT[:3] + PIPELINES),
    ctype=st.sampled_from(["application/json", "application/vnd.x+json", "text/plain", None]),
)
def test_raw_bodies_answer_in_the_routes_shapes(raw, route, ctype):
    headers = dict(AUTH)
    if ctype:
        headers["Content-Type"] = ctype
    model = "thenlper/gte-large" if "/pipeline/" in route else "openai-community/gpt2"
    surface = "tgi" if route in TGI_ROUTES else "openai" if route in OPENAI_CHAT else "pipeline"
    check(CLIENT.post(fill(route, model), content=raw, headers=headers), surface)


tool_schemas = st.sampled_from(
    [
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        {
            "type": "object",
            "properties": {
                "n": {"type": "integer", "minimum": 1, "maximum": 9},
                "unit": {"type": "string", "enum": ["c", "f"]},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        },
        {"type": "object", "properties": {}},
    ]
) | st.dictionaries(st.sampled_from(["type", "properties", "required", "x"]), json_values)
tools = (
    st.lists(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(["function", "function", "other"]),
                "function": st.fixed_dictionaries(
                    {
                        "name": st.sampled_from(["get_weather", "lookup", "f"])
                        | st.text(max_size=10),
                        "parameters": tool_schemas,
                    },
                    optional={"description": st.text(max_size=20)},
                ),
            }
        ),
        max_size=3,
    )
    | json_values
)
valid_tools = st.lists(
    st.builds(
        lambda name, schema: {
            "type": "function",
            "function": {"name": name, "description": "a tool", "parameters": schema},
        },
        st.sampled_from(["get_weather", "lookup"]),
        st.sampled_from(
            [
                {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
                {"type": "object", "properties": {"n": {"type": "integer"}}},
            ]
        ),
    ),
    min_size=1,
    max_size=2,
    unique_by=lambda t: t["function"]["name"],
)
valid_tool_choices = st.sampled_from(
    ["auto", "none", "required", {"type": "function", "function": {"name": "get_weather"}}]
)
valid_response_formats = st.sampled_from(
    [
        {"type": "json_object"},
        {"type": "text"},
        {
            "type": "json_schema",
            "json_schema": {
                "name": "answer",
                "schema": {
                    "type": "object",
                    "properties": {"answer": {"type": "string"}, "n": {"type": "integer"}},
                    "required": ["answer"],
                },
            },
        },
    ]
)
tool_choices = (
    st.sampled_from(["auto", "none", "required", "sometimes"])
    | st.builds(
        lambda n: {"type": "function", "function": {"name": n}},
        st.sampled_from(["get_weather", "lookup", "missing"]),
    )
    | json_values
)
response_formats = (
    st.sampled_from([{"type": "json_object"}, {"type": "text"}, {"type": "xml"}])
    | st.builds(
        lambda schema, strict: {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": strict},
        },
        tool_schemas,
        st.booleans() | st.none(),
    )
    | json_values
)
messages = (
    st.lists(
        st.fixed_dictionaries(
            {
                "role": st.sampled_from(["user", "system", "developer", "assistant", "tool", "x"]),
                "content": st.text(max_size=40)
                | st.lists(
                    st.fixed_dictionaries(
                        {
                            "type": st.sampled_from(["text", "image_url"]),
                            "text": st.text(max_size=20),
                        }
                    ),
                    max_size=2,
                )
                | json_values,
            },
            optional={"tool_call_id": st.text(max_size=8), "name": st.text(max_size=8)},
        ),
        min_size=0,
        max_size=3,
    )
    | json_values
)
valid_messages = st.lists(
    st.fixed_dictionaries(
        {
            "role": st.sampled_from(["user", "system", "developer", "assistant"]),
            "content": st.text(min_size=1, max_size=40),
        }
    ),
    min_size=1,
    max_size=3,
).map(lambda ms: [*ms, {"role": "user", "content": "Hello"}])
valid_chat_options = st.fixed_dictionaries(
    {"max_tokens": st.integers(1, 16)},
    optional={
        "temperature": st.floats(0.0, 2.0),
        "top_p": st.floats(0.05, 1.0),
        "stop": st.lists(st.text(min_size=1, max_size=4), max_size=4),
        "seed": st.integers(0, 2**31),
        "n": st.just(1),
        "logprobs": st.just(False),
        "top_logprobs": st.integers(0, 5),
        "presence_penalty": st.floats(-2.0, 2.0),
        "frequency_penalty": st.floats(-2.0, 2.0),
        "stream": st.booleans(),
        "stream_options": st.just({"include_usage": True}),
    },
)
chat_options = st.dictionaries(
    st.sampled_from(
        [
            "max_tokens",
            "max_completion_tokens",
            "temperature",
            "top_p",
            "stop",
            "seed",
            "n",
            "logprobs",
            "top_logprobs",
            "presence_penalty",
            "frequency_penalty",
            "stream",
            "stream_options",
            "user",
        ]
    ),
    small_numbers | st.just({"include_usage": True}),
    max_size=5,
)


@fuzz(40)
@given(
    route=st.sampled_from(OPENAI_CHAT),
    data=st.data(),
    msgs=mostly(valid_messages, messages),
    options=mostly(valid_chat_options, chat_options),
    extra=st.fixed_dictionaries(
        {},
        optional={
            "tools": mostly(valid_tools, tools),
            "tool_choice": mostly(valid_tool_choices, tool_choices),
            "response_format": mostly(valid_response_formats, response_formats),
        },
    ),
)
def test_chat_routes_answer_in_openai_shapes(route, data, msgs, options, extra):
    model = data.draw(mostly(st.sampled_from(served_models(route)), chat_models), label="model")
    body = {"model": model, "messages": msgs, **options, **extra}
    check(CLIENT.post(fill(route, model), json=body, headers=AUTH), "openai")


@fuzz(50)
@given(
    route=st.sampled_from(OPENAI_COMPLETIONS),
    data=st.data(),
    prompt=mostly(
        st.text(min_size=1, max_size=40),
        st.lists(st.text(max_size=10), max_size=3) | json_values,
    ),
    options=st.dictionaries(
        st.sampled_from(
            [
                "max_tokens",
                "temperature",
                "top_p",
                "stop",
                "seed",
                "echo",
                "logprobs",
                "suffix",
                "n",
            ]
        ),
        small_numbers,
        max_size=4,
    ),
    stream=st.sampled_from([False, True, None]),
)
def test_completions_routes_answer_in_openai_shapes(route, data, prompt, options, stream):
    model = data.draw(mostly(st.sampled_from(served_models(route)), chat_models), label="model")
    body = {"model": model, "prompt": prompt, **options}
    if stream is not None:
        body["stream"] = stream
    check(CLIENT.post(fill(route, model), json=body, headers=AUTH), "openai")


response_inputs = mostly(
    st.text(min_size=1, max_size=40)
    | st.lists(
        st.fixed_dictionaries(
            {
                "role": st.sampled_from(["user", "system", "developer", "assistant"]),
                "content": st.text(min_size=1, max_size=20)
                | st.lists(
                    st.fixed_dictionaries(
                        {"type": st.sampled_from(["input_text", "output_text"]), "text": st.text()}
                    ),
                    min_size=1,
                    max_size=2,
                ),
            }
        ),
        min_size=1,
        max_size=3,
    ),
    json_values,
)


@fuzz(40)
@given(
    model=mostly(st.sampled_from(CHAT_MODELS), chat_models),
    given_input=response_inputs,
    options=st.dictionaries(
        st.sampled_from(
            ["instructions", "max_output_tokens", "temperature", "top_p", "stream", "tools"]
            + ["tool_choice", "text", "previous_response_id", "seed"]
        ),
        small_numbers | json_values,
        max_size=4,
    ),
)
def test_the_responses_route_answers_in_openai_shapes(model, given_input, options):
    from openai.types.responses import Response

    body = {"model": model, "input": given_input, **options}
    response = CLIENT.post("/v1/responses", json=body, headers=AUTH)
    check(response, "openai")
    if response.status_code == 200 and not body.get("stream"):
        Response.model_validate(response.json())  # openai-python's own type reads it


@fuzz(50)
@given(
    route=st.sampled_from(ENDPOINT_OPENAI),
    model=st.sampled_from(["tgi", "openai-community/gpt2"]) | st.text(max_size=10),
    msgs=mostly(valid_messages, messages),
    prompt=mostly(st.text(min_size=1, max_size=30), json_values),
    options=mostly(valid_chat_options, chat_options),
    extra=st.fixed_dictionaries({}, optional={"tools": tools, "response_format": response_formats}),
)
def test_endpoint_openai_routes_answer_in_tgi_shapes(route, model, msgs, prompt, options, extra):
    # TGI's own /v1/chat/completions and /v1/completions answer errors the TGI way.
    body = {"model": model, **options, **extra}
    body["messages" if route.endswith("/chat/completions") else "prompt"] = (
        msgs if route.endswith("/chat/completions") else prompt
    )
    check(CLIENT.post(route, json=body, headers=AUTH), "tgi")


embedding_models = st.sampled_from(
    [
        m
        for m, i in MODELS.items()
        if i.pipeline_tag in ("feature-extraction", "sentence-similarity")
    ]
    + ["openai-community/gpt2", "nobody/nothing"]
)


@fuzz(50)
@given(
    route=st.sampled_from(PIPELINES),
    model=embedding_models,
    inputs=mostly(
        st.text(min_size=1, max_size=40)
        | st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=4)
        | st.fixed_dictionaries(
            {
                "source_sentence": st.text(min_size=1, max_size=20),
                "sentences": st.lists(st.text(min_size=1, max_size=10), min_size=1),
            }
        ),
        json_values,
    ),
    parameters=st.dictionaries(
        st.sampled_from(["normalize", "truncate", "truncation_direction", "prompt_name", "x"]),
        small_numbers,
        max_size=3,
    )
    | json_values,
)
def test_pipelines_answer_in_hf_inference_shapes(route, model, inputs, parameters):
    body = {"inputs": inputs, "parameters": parameters}
    check(CLIENT.post(fill(route, model), json=body, headers=AUTH), "pipeline")


@fuzz(50)
@given(
    route=st.sampled_from(GET_ROUTES + LEGACY),
    model=models,
    expand=st.lists(
        st.sampled_from(["inferenceProviderMapping", "inference", "pipeline_tag", "x"]), max_size=3
    ),
    auth=st.sampled_from([AUTH, {}, {"Authorization": "Bearer nope"}]),
    method=st.sampled_from(["GET", "GET", "GET", "POST", "DELETE"]),
)
def test_get_routes_answer_in_their_shapes(route, model, expand, auth, method):
    path = fill(route, model)
    params = [("expand[]", e) for e in expand]
    response = CLIENT.request(method, path, params=params, headers=auth)
    surface = (
        "openai" if route.startswith("/v1/models") else "tgi" if "/endpoints/" in route else "hub"
    )
    check(response, surface)


@fuzz(60)
@given(
    path=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="?#%"),
        max_size=40,
    ).map(lambda t: "/" + t),
    prefix=st.sampled_from(["", "/v1", "/api", "/endpoints/gpt2", "/hf-inference/models", "/groq"]),
    method=st.sampled_from(["GET", "POST", "PUT"]),
)
def test_unknown_paths_answer_the_routers_plain_404(path, prefix, method):
    response = CLIENT.request(
        method, prefix + path, headers={**AUTH, "Content-Type": "application/json"}, content=b"{}"
    )
    surface = "openai" if re.search(r"/(chat/)?completions$|^/v1/models", prefix + path) else "tgi"
    check(response, surface)


# --- the client's parsers -------------------------------------------------------------------

bodies = (
    json_values.map(json.dumps)
    | st.text(max_size=300)
    | st.builds(
        lambda t: f"<html><head><title>{t}</title></head><body>{t}</body></html>",
        st.text(max_size=40),
    )
    | st.just("")
    | json_values.map(json.dumps).map(lambda s: s[: max(0, len(s) // 2)])  # truncated
)


@fuzz(60)
@given(
    status=st.integers(400, 599),
    body=bodies,
    content_type=st.sampled_from(["application/json", "text/plain", "text/html", ""]),
    retry_after=st.none() | st.text(max_size=30),
)
def test_error_parser_returns_our_exception_for_any_body(status, body, content_type, retry_after):
    headers = {"content-type": content_type}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    error = error_from_parts(status, body, headers, "http://127.0.0.1/x")
    assert isinstance(error, HFError)
    assert error.status == status and error.message and error.hint
    str(error)


@fuzz(60)
@given(data=json_values)
def test_generation_parser_raises_only_our_exceptions(data):
    with contextlib.suppress(HFError):
        parse_generation(data)


@fuzz(60)
@given(
    lines=st.lists(
        st.text(max_size=60) | st.builds(lambda v: "data:" + json.dumps(v), json_values), max_size=8
    )
)
def test_stream_parser_raises_only_our_exceptions(lines):
    with contextlib.suppress(HFError):
        for event in iter_events(lines):
            assert isinstance(event, dict)
