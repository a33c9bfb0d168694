"""Property-based tests: random requests never crash the stand-in, random bodies never crash
the helpers' parsers. Example counts are fixed so that the total is known: 4 × 300 = 1,200
generated requests against the stand-in, and 3 × 300 generated bodies and streams."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from helpers import HFError, local_token, parse_generation
from helpers.client.errors import error_from_parts
from helpers.client.sse import iter_events
from helpers.standin import create_app

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLIENT = TestClient(create_app(), raise_server_exceptions=False)
AUTH = {"Authorization": f"Bearer {local_token()}"}

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
param_names = st.sampled_from(
    [
        "max_new_tokens",
        "temperature",
        "top_k",
        "top_p",
        "repetition_penalty",
        "do_sample",
        "seed",
        "stop",
        "return_full_text",
        "details",
        "best_of",
        "typical_p",
        "truncate",
        "top_n_tokens",
        "decoder_input_details",
        "candidate_labels",
        "max_length",
        "num_return_sequences",
    ]
)
param_values = (
    st.none()
    | st.booleans()
    | st.integers(-5, 2000)
    | st.floats(-3, 3)
    | st.text(max_size=8)
    | st.lists(st.text(max_size=5), max_size=6)
)
models = st.sampled_from(
    [
        "gpt2",
        "openai-community/gpt2",
        "facebook/bart-large-cnn",
        "google-t5/t5-small",
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "facebook/bart-large-mnli",
        "openai/gpt-oss-120b",
        "nobody/nothing",
    ]
)


def check(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code == 404 and response.headers["content-type"].startswith("text/plain"):
        assert response.text == "Not Found"
        return
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return
    json.loads(response.text)  # every other answer is JSON


@FUZZ
@given(
    route=st.sampled_from(["/models/", "/hf-inference/models/"]),
    model=models,
    inputs=json_values,
    parameters=st.dictionaries(param_names, param_values, max_size=6) | json_values,
    stream=st.sampled_from([False, True, "yes", None]),
)
def test_classic_route_never_answers_5xx(route, model, inputs, parameters, stream):
    body = {"inputs": inputs, "parameters": parameters}
    if stream is not None:
        body["stream"] = stream
    check(CLIENT.post(route + model, json=body, headers=AUTH))


@FUZZ
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode), model=models)
def test_raw_bodies_never_answer_5xx(raw, model):
    check(
        CLIENT.post(
            "/models/" + model, content=raw, headers={**AUTH, "Content-Type": "application/json"}
        )
    )


@FUZZ
@given(
    model=models.map(lambda m: m) | st.text(max_size=20),
    messages=st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["user", "system", "assistant", "x"]), "content": json_values}
        ),
        max_size=3,
    )
    | json_values,
    extra=st.dictionaries(
        st.sampled_from(
            ["max_tokens", "temperature", "top_p", "stop", "seed", "stream", "stream_options"]
        ),
        param_values,
        max_size=4,
    ),
)
def test_chat_route_never_answers_5xx(model, messages, extra):
    check(
        CLIENT.post(
            "/v1/chat/completions",
            json={"model": model, "messages": messages, **extra},
            headers=AUTH,
        )
    )


@FUZZ
@given(
    path=st.sampled_from(
        ["/api/models/", "/api/whoami-v2", "/v1/models/", "/api-inference.huggingface.co/"]
    ),
    tail=st.text(alphabet=st.characters(min_codepoint=45, max_codepoint=122), max_size=30),
    expand=st.lists(
        st.sampled_from(["inferenceProviderMapping", "inference", "pipeline_tag", "x"]), max_size=3
    ),
    auth=st.sampled_from([AUTH, {}, {"Authorization": "Bearer nope"}]),
)
def test_hub_and_legacy_routes_never_answer_5xx(path, tail, expand, auth):
    check(CLIENT.get(path + tail, params=[("expand[]", e) for e in expand], headers=auth))


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


@FUZZ
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


@FUZZ
@given(data=json_values)
def test_generation_parser_raises_only_our_exceptions(data):
    with contextlib.suppress(HFError):
        parse_generation(data)


@FUZZ
@given(
    lines=st.lists(
        st.text(max_size=60) | st.builds(lambda v: "data:" + json.dumps(v), json_values), max_size=8
    )
)
def test_stream_parser_raises_only_our_exceptions(lines):
    with contextlib.suppress(HFError):
        for event in iter_events(lines):
            assert isinstance(event, dict)
