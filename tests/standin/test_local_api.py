"""Contract tests of the stand-in: routes, bodies, status codes and headers.

In process (FastAPI's TestClient, fixtures ``api`` and ``make_api``); only the last test needs
a socket.
"""

from __future__ import annotations

import json

import pytest
import requests

from helpers.contract import (
    INVALID_TOKEN_MESSAGE,
    LEGACY_GONE_MESSAGE,
    LEGACY_PREFIX,
    MISSING_TOKEN_MESSAGE,
    NOT_FOUND_BODY,
    STAND_IN_HEADER,
)
from helpers.standin import start

PROMPT = "Once upon a time, in a land far away,"
GPT2_PATHS = [
    "/models/gpt2",
    "/models/openai-community/gpt2",
    "/hf-inference/models/openai-community/gpt2",
]
WEAK = "hf_" + "w" * 34


@pytest.mark.parametrize("path", GPT2_PATHS)
def test_gpt2_answers_a_list_with_generated_text_on_every_path(api, auth, path):
    # Greedy: a sampled first token may be the end of text (an empty continuation), which
    # made this test fail about once in a few hundred runs.
    body = {"inputs": PROMPT, "parameters": {"do_sample": False}}
    response = api.post(path, json=body, headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["generated_text"].startswith(PROMPT)
    assert len(body[0]["generated_text"]) > len(PROMPT)


def test_every_answer_says_it_comes_from_the_stand_in(api, auth):
    for response in (
        api.post("/models/gpt2", json={"inputs": PROMPT}, headers=auth),
        api.post("/models/unknown/model", json={"inputs": PROMPT}, headers=auth),
        api.get("/api/models/gpt2"),
        api.get("/no/such/route"),
    ):
        assert "n-gram" in response.headers[STAND_IN_HEADER]
        assert response.headers["x-request-id"]


def test_router_path_names_the_provider(api, auth):
    response = api.post(GPT2_PATHS[2], json={"inputs": PROMPT}, headers=auth)
    assert response.headers["x-inference-provider"] == "hf-inference"


def test_details_follow_tgi(api, auth):
    params = {"details": True, "max_new_tokens": 4, "do_sample": True, "seed": 11}
    body = api.post("/models/gpt2", json={"inputs": PROMPT, "parameters": params}, headers=auth)
    details = body.json()[0]["details"]
    assert details["finish_reason"] == "length"
    assert details["generated_tokens"] == 4
    assert details["seed"] == 11
    assert len(details["tokens"]) == 4
    assert set(details["tokens"][0]) >= {"id", "text", "logprob", "special"}


def test_return_full_text_false_gives_only_the_continuation(api, auth):
    params = {"return_full_text": False, "max_new_tokens": 5}
    response = api.post("/models/gpt2", json={"inputs": PROMPT, "parameters": params}, headers=auth)
    assert not response.json()[0]["generated_text"].startswith(PROMPT)


def test_stream_sends_tgi_events_with_details_last_and_no_done(api, auth):
    body = {"inputs": PROMPT, "stream": True, "parameters": {"max_new_tokens": 5, "details": True}}
    response = api.post("/models/gpt2", json=body, headers=auth)
    assert response.headers["content-type"].startswith("text/event-stream")
    lines = [ln for ln in response.text.splitlines() if ln]
    assert all(ln.startswith("data:{") for ln in lines)  # no space after data:, no [DONE]
    events = [json.loads(ln[5:]) for ln in lines]
    assert [e["index"] for e in events] == [1, 2, 3, 4, 5]
    assert all(e["generated_text"] is None for e in events[:-1])
    assert events[-1]["details"]["finish_reason"] == "length"


def test_missing_token_is_401_invalid_username(api):
    response = api.post("/models/gpt2", json={"inputs": PROMPT})
    assert response.status_code == 401
    assert response.json() == {"error": MISSING_TOKEN_MESSAGE}


@pytest.mark.parametrize(
    "header",
    ["Bearer hf_short", "Bearer " + "x" * 37, "Token hf_" + "a" * 34, "Bearer", "hf_" + "a" * 34],
)
def test_malformed_token_is_401_invalid_credentials(api, header):
    response = api.post("/models/gpt2", json={"inputs": PROMPT}, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json() == {"error": INVALID_TOKEN_MESSAGE}


def test_token_without_inference_permission_is_403_but_whoami_works(make_api):
    api = make_api(tokens_without_inference={WEAK}, user_name="ada")
    headers = {"Authorization": f"Bearer {WEAK}"}
    response = api.post("/models/gpt2", json={"inputs": PROMPT}, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"].endswith("on behalf of user ada")
    who = api.get("/api/whoami-v2", headers=headers).json()
    scoped = who["auth"]["accessToken"]["fineGrained"]["scoped"][0]["permissions"]
    assert "inference.serverless.write" not in scoped


def test_unknown_model_is_plain_text_404(api, auth):
    response = api.post("/hf-inference/models/no-such/model", json={"inputs": PROMPT}, headers=auth)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == NOT_FOUND_BODY


def test_router_without_gpt2_answers_404_like_the_real_router(make_api, auth):
    api = make_api(router_serves_gpt2=False)
    assert api.post(GPT2_PATHS[2], json={"inputs": PROMPT}, headers=auth).status_code == 404
    assert api.post("/models/gpt2", json={"inputs": PROMPT}, headers=auth).status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST", "OPTIONS", "HEAD"])
def test_legacy_host_is_410_gone_with_the_real_body(api, method):
    response = api.request(method, LEGACY_PREFIX + "/models/gpt2")
    assert response.status_code == 410
    if method != "HEAD":
        assert response.json() == {"error": LEGACY_GONE_MESSAGE}


def test_whoami_names_the_user_and_role(api, auth):
    body = api.get("/api/whoami-v2", headers=auth).json()
    assert body["name"] == "standin-learner"
    assert body["auth"]["accessToken"]["role"] == "fineGrained"


def test_whoami_without_token_is_401(api):
    assert api.get("/api/whoami-v2").status_code == 401


def test_model_info_maps_gpt2_alias_to_hf_inference(api):
    info = api.get(
        "/api/models/gpt2",
        params=[("expand[]", "inferenceProviderMapping"), ("expand[]", "inference")],
    ).json()
    assert info["id"] == "openai-community/gpt2"
    mapping = info["inferenceProviderMapping"]
    assert mapping["hf-inference"]["status"] == "live"
    assert mapping["hf-inference"]["providerId"] == "openai-community/gpt2"
    assert info["inference"] == "warm"


def test_unknown_repository_is_404_json_with_the_hub_error_code(api):
    response = api.get("/api/models/nobody/nothing")
    assert response.status_code == 404
    assert response.json()["error"] == "Repository not found"
    assert response.headers["X-Error-Code"] == "RepoNotFound"


def test_405_names_the_allowed_methods(api):
    response = api.delete("/api/whoami-v2")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


def test_stop_frees_the_port():
    api = start()
    url = api.url
    assert requests.get(url + "/api/models/gpt2", timeout=5).status_code == 200
    api.stop()
    api.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/api/models/gpt2", timeout=2)
