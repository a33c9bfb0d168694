"""Contract tests of the stand-in over HTTP: routes, bodies, status codes and headers."""

from __future__ import annotations

import json

import pytest
import requests

from helpers import local_token
from helpers.standin import LEGACY_PREFIX, STAND_IN_HEADER, start

PROMPT = "Once upon a time, in a land far away,"
GPT2_PATHS = [
    "/models/gpt2",
    "/models/openai-community/gpt2",
    "/hf-inference/models/openai-community/gpt2",
]


def post(api, path, body, headers, **kwargs):
    return requests.post(api.url + path, json=body, headers=headers, timeout=10, **kwargs)


@pytest.mark.parametrize("path", GPT2_PATHS)
def test_gpt2_answers_a_list_with_generated_text_on_every_path(stand_in, auth, path):
    response = post(stand_in, path, {"inputs": PROMPT}, auth)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["generated_text"].startswith(PROMPT)
    assert len(body[0]["generated_text"]) > len(PROMPT)


def test_every_answer_says_it_comes_from_the_stand_in(stand_in, auth):
    for response in (
        post(stand_in, "/models/gpt2", {"inputs": PROMPT}, auth),
        post(stand_in, "/models/unknown/model", {"inputs": PROMPT}, auth),
        requests.get(stand_in.url + "/api/models/gpt2", timeout=10),
    ):
        assert "n-gram" in response.headers[STAND_IN_HEADER]
        assert response.headers["x-request-id"]


def test_router_path_names_the_provider(stand_in, auth):
    response = post(stand_in, GPT2_PATHS[2], {"inputs": PROMPT}, auth)
    assert response.headers["x-inference-provider"] == "hf-inference"


def test_details_follow_tgi(stand_in, auth):
    params = {"details": True, "max_new_tokens": 4, "do_sample": True, "seed": 11}
    body = post(stand_in, "/models/gpt2", {"inputs": PROMPT, "parameters": params}, auth).json()
    details = body[0]["details"]
    assert details["finish_reason"] == "length"
    assert details["generated_tokens"] == 4
    assert details["seed"] == 11
    assert len(details["tokens"]) == 4
    assert set(details["tokens"][0]) == {"id", "text", "logprob", "special"}


def test_return_full_text_false_gives_only_the_continuation(stand_in, auth):
    params = {"return_full_text": False, "max_new_tokens": 5}
    text = post(stand_in, "/models/gpt2", {"inputs": PROMPT, "parameters": params}, auth).json()[0][
        "generated_text"
    ]
    assert not text.startswith(PROMPT)


def test_stream_sends_tgi_events_with_details_last_and_no_done(stand_in, auth):
    body = {"inputs": PROMPT, "stream": True, "parameters": {"max_new_tokens": 5}}
    response = post(stand_in, "/models/gpt2", body, auth, stream=True)
    assert response.headers["content-type"].startswith("text/event-stream")
    lines = [ln for ln in response.iter_lines(decode_unicode=True) if ln]
    assert all(ln.startswith("data:{") for ln in lines)  # no space after data:, no [DONE]
    events = [json.loads(ln[5:]) for ln in lines]
    assert [e["index"] for e in events] == [1, 2, 3, 4, 5]
    assert all(e["generated_text"] is None for e in events[:-1])
    assert events[-1]["details"]["finish_reason"] == "length"
    assert events[-1]["generated_text"] == PROMPT + "".join(e["token"]["text"] for e in events)


def test_missing_token_is_401_invalid_username(stand_in):
    response = post(stand_in, "/models/gpt2", {"inputs": PROMPT}, {})
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid username or password."}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer hf_short",
        "Bearer " + "x" * 37,
        "Token " + "hf_" + "a" * 34,
        "Bearer",
        "hf_" + "a" * 34,
    ],
)
def test_malformed_token_is_401_invalid_credentials(stand_in, header):
    response = post(stand_in, "/models/gpt2", {"inputs": PROMPT}, {"Authorization": header})
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid credentials in Authorization header"}


def test_token_without_inference_permission_is_403_but_whoami_works():
    weak = local_token()
    with start(tokens_without_inference={weak}) as api:
        headers = {"Authorization": f"Bearer {weak}"}
        response = post(api, "/models/gpt2", {"inputs": PROMPT}, headers)
        assert response.status_code == 403
        assert "sufficient permissions to call Inference Providers" in response.json()["error"]
        who = requests.get(api.url + "/api/whoami-v2", headers=headers, timeout=10).json()
        scoped = who["auth"]["accessToken"]["fineGrained"]["scoped"][0]["permissions"]
        assert "inference.serverless.write" not in scoped


def test_unknown_model_is_plain_text_404(stand_in, auth):
    response = post(stand_in, "/hf-inference/models/no-such/model", {"inputs": PROMPT}, auth)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Not Found"


def test_router_without_gpt2_answers_404_like_the_real_router(auth):
    with start(router_serves_gpt2=False) as api:
        assert post(api, GPT2_PATHS[2], {"inputs": PROMPT}, auth).status_code == 404
        assert post(api, "/models/gpt2", {"inputs": PROMPT}, auth).status_code == 200
        info = requests.get(
            api.url + "/api/models/gpt2",
            params={"expand[]": "inferenceProviderMapping"},
            timeout=10,
        ).json()
        assert info["inferenceProviderMapping"] == []


@pytest.mark.parametrize("method", ["GET", "POST", "OPTIONS"])
def test_legacy_host_is_410_gone_with_the_real_body(stand_in, method):
    response = requests.request(method, stand_in.url + LEGACY_PREFIX + "/models/gpt2", timeout=10)
    assert response.status_code == 410
    assert response.json() == {
        "error": "https://api-inference.huggingface.co is no longer supported. "
        "Please use https://router.huggingface.co instead."
    }


def test_whoami_names_the_user_and_role(stand_in, auth):
    body = requests.get(stand_in.url + "/api/whoami-v2", headers=auth, timeout=10).json()
    assert body["name"] == "standin-learner"
    assert body["auth"]["accessToken"]["role"] == "fineGrained"


def test_whoami_without_token_is_401(stand_in):
    assert requests.get(stand_in.url + "/api/whoami-v2", timeout=10).status_code == 401


def test_model_info_lists_hf_inference_for_gpt2_alias(stand_in):
    info = requests.get(
        stand_in.url + "/api/models/gpt2",
        params=[("expand[]", "inferenceProviderMapping"), ("expand[]", "inference")],
        timeout=10,
    ).json()
    assert info["id"] == "openai-community/gpt2"
    assert info["inferenceProviderMapping"][0]["provider"] == "hf-inference"
    assert info["inferenceProviderMapping"][0]["status"] == "live"
    assert info["inference"] == "warm"


def test_unknown_repository_is_404_json(stand_in):
    response = requests.get(stand_in.url + "/api/models/nobody/nothing", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"] == "Repository not found"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ("", 400),
        ("[1, 2, 3]", 422),
        ('"just a string"', 422),
        ("{}", 422),
        ('{"inputs": "x", "parameters": [1]}', 422),
        ('{"inputs": "x", "stream": "yes"}', 422),
        ('{"inputs": {"nested": true}}', 422),
        ("\xff\xfe", 400),
    ],
)
def test_bad_bodies_get_a_4xx_message_never_500(stand_in, auth, raw, status):
    response = requests.post(
        stand_in.url + "/models/gpt2",
        data=raw.encode("latin-1"),
        headers={**auth, "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == status
    if status == 400:  # TGI's JSON extractor answers in plain text
        assert response.text.startswith("Failed to parse the request body as JSON: ")
    else:
        assert response.json()["error"]


def test_openapi_schema_documents_the_routes(stand_in):
    schema = requests.get(stand_in.url + "/openapi.json", timeout=10).json()
    assert "/models/{model_id}" in schema["paths"]
    assert "/api/whoami-v2" in schema["paths"]


def test_stop_frees_the_port():
    api = start()
    url = api.url
    api.stop()
    api.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/api/models/gpt2", timeout=2)
