"""The stand-in's profiles: ``teaching`` (default) serves gpt2; ``today`` plays today's service.

The today profile is what ``check_live`` and the live rehearsal compare the real service and the
notebooks with, so each behaviour the references describe is pinned here (sources:
``notebooks/REFERENCES.md`` and the table in ``helpers/standin/profiles.py``).
"""

from __future__ import annotations

import json
import re

import pytest

from helpers.contract import (
    GPT2,
    HF_INFERENCE_LLM,
    NOT_FOUND_BODY,
    PAYMENT_REQUIRED_MESSAGE,
    STAND_IN_HEADER,
)
from helpers.standin import StandInOptions, start
from helpers.standin.options import hf_inference_usd_per_second

GPT2_ROUTER = f"/hf-inference/models/{GPT2}"
LLM = f"/hf-inference/models/{HF_INFERENCE_LLM}"
MAPPING = f"/api/models/{GPT2}?expand[]=inferenceProviderMapping"
STAND_IN_WORDING = re.compile(r"stand-?in", re.IGNORECASE)
CHAT = {"model": "openai/gpt-oss-120b", "messages": [{"role": "user", "content": "Hi"}]}
PROVIDER_COMPLETIONS = "/together/v1/completions"
PROVIDER_MODEL = "deepseek-ai/DeepSeek-V4-Pro"


@pytest.fixture
def today(make_api):
    return make_api(profile="today")


def test_today_does_not_serve_gpt2_on_the_router(today, auth):
    """Catches a today profile that still serves gpt2 (the lessons' offline convenience)."""
    answer = today.post(GPT2_ROUTER, json={"inputs": "Hello"}, headers=auth)
    assert (answer.status_code, answer.text) == (404, NOT_FOUND_BODY)
    assert answer.headers["content-type"].startswith("text/plain")
    assert today.get(MAPPING).json()["inferenceProviderMapping"] == {}


def test_today_does_not_serve_gpt2_on_the_seed_path_either(today, make_api, auth):
    """Catches ``POST /models/gpt2`` answering 200 in the today profile: today's router serves
    gpt2 nowhere, so the classic path answers like any unserved model."""
    answer = today.post("/models/gpt2", json={"inputs": "Hi"}, headers=auth)
    assert (answer.status_code, answer.text) == (404, NOT_FOUND_BODY)
    assert answer.headers["content-type"].startswith("text/plain")
    kept = make_api(profile="today", router_serves_gpt2=True)  # the explicit knob still wins
    assert kept.post("/models/gpt2", json={"inputs": "Hi"}, headers=auth).status_code == 200


def test_teaching_serves_gpt2_so_lessons_run_offline(api, make_api, auth):
    assert api.post(GPT2_ROUTER, json={"inputs": "Hello"}, headers=auth).status_code == 200
    router_like = make_api(router_serves_gpt2=False)  # notebook 01's second stand-in
    assert router_like.post("/models/gpt2", json={"inputs": "Hi"}, headers=auth).status_code == 200
    assert "hf-inference" in api.get(MAPPING).json()["inferenceProviderMapping"]


@pytest.mark.parametrize("profile", ["teaching", "today"])
def test_the_probed_llm_never_takes_the_classic_body(make_api, auth, profile):
    """Catches the classic body reaching an hf-inference LLM (inferred: see profiles.py)."""
    classic = make_api(profile=profile).post(LLM, json={"inputs": "Hello"}, headers=auth)
    assert (classic.status_code, classic.text) == (404, NOT_FOUND_BODY)


def test_teaching_serves_the_hf_inference_llm_on_the_openai_routes(api, auth):
    """Catches the catalogue losing SmolLM3-3B (the teaching profile still serves it)."""
    body = {"model": HF_INFERENCE_LLM, "prompt": "Hello", "max_tokens": 5}
    completion = api.post(LLM + "/v1/completions", json=body, headers=auth)
    assert completion.status_code == 200
    assert isinstance(completion.json()["choices"][0]["text"], str)
    chat = {**CHAT, "model": HF_INFERENCE_LLM, "max_tokens": 5}
    assert api.post(LLM + "/v1/chat/completions", json=chat, headers=auth).status_code == 200


def test_today_serves_no_hf_inference_llm(today, auth):
    """The done-when check: hub-docs list no hf-inference LLM since 2026-07-01, so SmolLM3-3B's
    OpenAI routes answer the router's plain-text 404 and its mapping lists no hf-inference."""
    body = {"model": HF_INFERENCE_LLM, "prompt": "Hello", "max_tokens": 5}
    completion = today.post(LLM + "/v1/completions", json=body, headers=auth)
    assert (completion.status_code, completion.text) == (404, NOT_FOUND_BODY)
    chat = {**CHAT, "model": HF_INFERENCE_LLM, "max_tokens": 5}
    answer = today.post(LLM + "/v1/chat/completions", json=chat, headers=auth)
    assert (answer.status_code, answer.text) == (404, NOT_FOUND_BODY)
    mapping = today.get(f"/api/models/{HF_INFERENCE_LLM}?expand[]=inferenceProviderMapping")
    assert "hf-inference" not in mapping.json()["inferenceProviderMapping"]
    models = [m["id"] for m in today.get("/v1/models").json()["data"]]
    assert HF_INFERENCE_LLM not in models
    routed = today.post("/v1/chat/completions", json=chat, headers=auth)
    assert routed.status_code == 400  # no provider serves it on the router either
    assert all(
        p["provider"] != "hf-inference"
        for m in today.get("/v1/models").json()["data"]
        for p in m["providers"]
    )


def test_today_marks_nothing_but_the_stand_in_header(today, auth):
    """Catches x-standin-* headers, standin- ids and stand-in names leaking into the today
    profile (the teaching profile sends all of them)."""
    answers = [
        today.get("/api/whoami-v2", headers=auth),
        today.get(MAPPING),
        today.get("/api/tasks"),
        today.post(
            f"/hf-inference/models/{'distilbert/distilbert-base-uncased-finetuned-sst-2-english'}",
            json={"inputs": "I love it"},
            headers=auth,
        ),
        today.post("/v1/chat/completions", json={**CHAT, "unknown_field": 1}, headers=auth),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert STAND_IN_HEADER.lower() in answer.headers
        assert not [h for h in answer.headers if h.lower().startswith("x-standin")], answer.url
        assert not answer.headers["x-request-id"].startswith("standin")
        assert answer.headers.get("x-compute-type") in (None, "cpu")
    completion = today.post(
        PROVIDER_COMPLETIONS,
        json={"model": PROVIDER_MODEL, "prompt": "Hello", "max_tokens": 3},
        headers=auth,
    )
    for answer in [*answers, completion]:  # ids, names, fingerprints, descriptions
        assert not STAND_IN_WORDING.search(answer.text), (answer.url, answer.text[:300])


def test_teaching_whoami_says_it_is_the_stand_in(api, auth):
    assert STAND_IN_WORDING.search(json.dumps(api.get("/api/whoami-v2", headers=auth).json()))


def test_today_credits_are_free_accounts_published_ten_cents_and_run_out(today, auth):
    """Catches a today profile with unlimited credits, or a 402 that never comes."""
    assert today.app.state.options.credits_usd == pytest.approx(0.10)
    usage = today.app.state.usage
    per_token = usage.options.compute_seconds_per_token * hf_inference_usd_per_second()
    assert 0.10 / per_token > 20_000  # room for thousands of short generations
    usage.charge(int(0.10 / per_token) + 1)
    answer = today.post("/v1/chat/completions", json=CHAT, headers=auth)
    assert (answer.status_code, answer.json()["error"]) == (402, PAYMENT_REQUIRED_MESSAGE)


def test_explicit_knobs_win_over_the_profile():
    options = StandInOptions(profile="today", router_serves_gpt2=True, credits_usd=float("inf"))
    assert (options.router_serves_gpt2, options.credits_usd) == (True, float("inf"))


def test_an_unknown_profile_names_the_known_ones():
    with pytest.raises(ValueError, match="teaching, today"):
        StandInOptions(profile="tomorrow")


def test_start_takes_the_profile_as_a_knob():
    """Catches start() copying the teaching defaults before applying profile='today'."""
    with start(profile="today") as api:
        assert api.options.router_serves_gpt2 is False
        assert api.options.credits_usd == pytest.approx(0.10)


def test_today_recommends_no_gpt2_for_any_task(today):
    """Catches /api/tasks sending clients that pick a default model to gpt2, which is not served."""
    tasks = today.get("/api/tasks").json()
    assert tasks, "no tasks at all"
    assert GPT2 not in json.dumps(tasks)


SMOL = {"model": PROVIDER_MODEL, "max_tokens": 4}
"""A completions request the today profile serves (it serves no hf-inference LLM)."""
INTEGER_RANGE_SCHEMA = {"type": "integer", "minimum": 5, "maximum": 1}
"""A schema no value satisfies: the stand-in cannot fill it."""
TODAY_REQUESTS = {
    "image part": (
        CHAT_ROUTE := "/v1/chat/completions",
        {
            **CHAT,
            "messages": [{"role": "user", "content": [{"type": "image_url"}]}],
        },
    ),
    "logit_bias": (CHAT_ROUTE, {**CHAT, "logit_bias": {"1": 5}}),
    "json_object": (
        CHAT_ROUTE,
        {**CHAT, "max_tokens": 60, "response_format": {"type": "json_object"}},
    ),
    "unfillable schema": (
        CHAT_ROUTE,
        {
            **CHAT,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "n", "schema": INTEGER_RANGE_SCHEMA},
            },
        },
    ),
    "unfillable tool": (
        CHAT_ROUTE,
        {
            **CHAT,
            "tool_choice": "required",
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "f",
                        "parameters": {
                            "type": "object",
                            "properties": {"n": INTEGER_RANGE_SCHEMA},
                            "required": ["n"],
                        },
                    },
                }
            ],
        },
    ),
    "max_tokens over the context": (CHAT_ROUTE, {**CHAT, "max_tokens": 9000}),
    "chat stream fault": (CHAT_ROUTE, {**CHAT, "stream": True}),
    "completion best_of": (PROVIDER_COMPLETIONS, {**SMOL, "prompt": "Hi", "best_of": 3}),
    "completion vLLM extension": (PROVIDER_COMPLETIONS, {**SMOL, "prompt": "Hi", "min_p": 0.5}),
    "completion json_object": (
        PROVIDER_COMPLETIONS,
        {
            **SMOL,
            "prompt": "Hi",
            "max_tokens": 60,
            "response_format": {"type": "json_object"},
        },
    ),
    "completion stream fault": (PROVIDER_COMPLETIONS, {**SMOL, "prompt": "Hi", "stream": True}),
    "endpoint stream fault": ("/endpoints/gpt2/generate_stream", {"inputs": "Hi"}),
}


@pytest.mark.parametrize("name", sorted(TODAY_REQUESTS))
def test_today_answer_bodies_never_say_stand_in(make_api, auth, name):
    """Catches stand-in wording in today's bodies (only the X-Stand-In header may say it):
    ``"stand_in": true`` in json_object answers, "the stand-in's models read text only",
    "`logit_bias` is not implemented by the stand-in", "stand-in fault during generation"."""
    path, body = TODAY_REQUESTS[name]
    today = make_api(profile="today", stream_error_after_tokens=1)
    answer = today.post(path, json=body, headers=auth)
    assert answer.status_code < 500, answer.text
    assert not re.search(r"stand[-_ ]?in", answer.text, re.IGNORECASE), answer.text
    teaching = make_api(stream_error_after_tokens=1).post(path, json=body, headers=auth)
    assert teaching.status_code == answer.status_code, teaching.text  # only the words differ
