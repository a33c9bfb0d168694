"""helpers.lessons.connection: connect() chooses, explains, degrades, and exports its settings.

Every test runs in a temporary folder with no ``.env`` above it (never the repository's, which
may hold a learner's token) and with every HF_* variable removed; what connect() exports into
``os.environ`` is put back afterwards. Live set-ups point HF_ROUTER_URL / HF_HUB_URL at a
stand-in or at a loopback port where nothing listens, so nothing here reaches the network.
"""

from __future__ import annotations

import os
import socket

import pytest
import requests

from helpers import contract
from helpers.client.config import Settings
from helpers.lessons import connection as connection_module
from helpers.lessons.connection import Connection, connect, local_token
from helpers.standin import start

PROMPT = "Once upon a time, in a land far away,"


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch, tmp_path):
    """No HF_* variable, no .env, and os.environ restored after connect()'s exports."""
    monkeypatch.chdir(tmp_path)
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("HF_", "HUGGINGFACE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CI", "true")  # nobody can type a token
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def dead_url():
    """A loopback URL where nothing listens: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def live_like(api_url: str, token: str, endpoint_url: str | None = None) -> Connection:
    """A live Connection whose router and Hub are ``api_url`` (a stand-in)."""
    settings = Settings("live", token, api_url, api_url + "/api", endpoint_url)
    return Connection(settings, retries=0)


# --- choosing the mode, and saying why -------------------------------------------------------


def test_local_mode_starts_the_stand_in_and_keeps_the_learners_token_home(capsys, monkeypatch):
    learner = local_token()
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_TOKEN", learner)
    hf = connect()
    banner = capsys.readouterr().out
    assert banner.startswith("LOCAL STAND-IN") and "not from Hugging Face" in banner
    assert "HF_TUTORIAL_MODE=local in the environment" in banner
    assert hf.token != learner
    assert hf.json("GET", hf.settings.hub_api_url + "/whoami-v2")[0]["name"] == "standin-learner"
    assert (
        "stand-in"
        in hf.text_generation(hf.text_generation_url(), PROMPT, max_new_tokens=3).answered_by
    )


def test_dotenv_with_a_token_and_local_mode_stays_local_and_says_so(tmp_path, capsys):
    (tmp_path / ".env").write_text(f"HF_TOKEN={local_token()}\nHF_TUTORIAL_MODE=local\n")
    hf = connect()
    banner = capsys.readouterr().out
    assert hf.is_local  # bug: the mode in .env ignored, a learner sent live spending credits
    assert "HF_TUTORIAL_MODE=local in .env" in banner


def test_dotenv_found_from_a_subfolder(tmp_path, monkeypatch, capsys):
    (tmp_path / ".env").write_text("HF_TUTORIAL_MODE=local\n")
    sub = tmp_path / "notebooks"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert connect().is_local
    assert "in .env" in capsys.readouterr().out


def test_the_environment_wins_over_dotenv(tmp_path, monkeypatch, capsys):
    (tmp_path / ".env").write_text("HF_TUTORIAL_MODE=live\n")
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    assert connect().is_local
    assert "HF_TUTORIAL_MODE=local in the environment" in capsys.readouterr().out


def test_no_token_gives_local_mode_with_the_reason(capsys):
    assert connect().is_local
    assert "(no token was found)" in capsys.readouterr().out


def test_live_mode_without_a_token_explains_and_falls_back(monkeypatch, capsys):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
    hf = connect()
    said = capsys.readouterr().out
    assert hf.is_local
    assert "No Hugging Face token found" in said and ".env" in said
    assert "live mode was asked for, but no token was found" in said


def test_a_bad_mode_is_explained_not_raised(monkeypatch, capsys):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "offline")
    hf = connect()
    said = capsys.readouterr().out
    assert hf.is_local
    assert "'offline'" in said and "local, live" in said
    assert "Traceback" not in said


# --- live: URLs from the settings, one check, degrade instead of crashing ---------------------


def test_live_urls_default_to_the_real_service(monkeypatch, capsys):
    token = local_token()
    monkeypatch.setenv("HF_TOKEN", token)
    hf = connect(check=False)
    banner = capsys.readouterr().out
    assert banner.startswith("LIVE") and token not in banner
    assert "a token was found in the environment (HF_TOKEN)" in banner
    assert hf.text_generation_url(contract.GPT2) == (
        "https://router.huggingface.co/hf-inference/models/openai-community/gpt2"
    )
    assert hf.settings.hub_api_url == "https://huggingface.co/api"


def test_every_live_url_is_built_from_router_and_hub_settings(tmp_path, stand_in):
    # bug caught: a URL written as a literal somewhere instead of built from HF_ROUTER_URL
    (tmp_path / ".env").write_text(
        f"HF_TOKEN={local_token()}\nHF_ROUTER_URL={stand_in.url}/\nHF_HUB_URL={stand_in.url}\n"
    )
    hf = connect(quiet=True)
    assert hf.mode == "live"
    assert hf.text_generation_url("x/y") == f"{stand_in.url}/hf-inference/models/x/y"
    assert hf.settings.hub_api_url == f"{stand_in.url}/api"
    assert hf.json("GET", hf.settings.hub_api_url + "/whoami-v2")[0]["name"] == "standin-learner"


def test_unreachable_service_explains_and_continues_on_the_stand_in(monkeypatch, capsys, dead_url):
    # the set-up: live, a well-formed fake token, router and Hub where nothing listens
    token = local_token()
    monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
    monkeypatch.setenv("HF_TOKEN", token)
    monkeypatch.setenv("HF_ROUTER_URL", dead_url)
    monkeypatch.setenv("HF_HUB_URL", dead_url)
    hf = connect()
    said = capsys.readouterr().out
    assert hf.is_local
    first, *_ = said.splitlines()
    assert first.startswith(f"Could not reach {dead_url} (Connection refused)")
    assert "Check your connection" in first
    assert "could not be reached" in said.splitlines()[-1]  # the banner says why
    assert token not in said
    assert (
        "stand-in"
        in hf.text_generation(hf.text_generation_url(), PROMPT, max_new_tokens=2).answered_by
    )


def test_rejected_token_explains_and_continues_on_the_stand_in(monkeypatch, capsys, stand_in):
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_real_token")
    monkeypatch.setenv("HF_ROUTER_URL", stand_in.url)
    monkeypatch.setenv("HF_HUB_URL", stand_in.url)
    hf = connect()
    said = capsys.readouterr().out
    assert hf.is_local
    assert "refused the token" in said and "HTTP 401" in said and "settings/tokens" in said
    assert "hf_not_a_real_token" not in said


def test_a_token_without_the_inference_permission_falls_back_with_the_fix(monkeypatch, capsys):
    weak = local_token()
    with start(tokens_without_inference={weak}) as api:
        monkeypatch.setenv("HF_TOKEN", weak)
        monkeypatch.setenv("HF_ROUTER_URL", api.url)
        monkeypatch.setenv("HF_HUB_URL", api.url)
        hf = connect()
    said = capsys.readouterr().out
    assert hf.is_local
    assert "may not call Inference Providers" in said and "permission" in said


def test_a_bad_url_setting_is_explained_not_raised(monkeypatch, capsys):
    monkeypatch.setenv("HF_TOKEN", local_token())
    monkeypatch.setenv("HF_ROUTER_URL", "router.huggingface.co")
    hf = connect()
    said = capsys.readouterr().out
    assert hf.is_local
    assert "HF_ROUTER_URL='router.huggingface.co'" in said and "not an http(s) URL" in said


def test_a_real_token_is_never_sent_over_plain_http_to_another_host(monkeypatch, capsys):
    monkeypatch.setenv("HF_TOKEN", local_token())
    monkeypatch.setenv("HF_HUB_URL", "http://192.0.2.10")
    assert connect().is_local
    assert "Refusing to send a token" in capsys.readouterr().out


def test_live_mode_never_allows_plain_http(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", local_token())
    assert not connect(quiet=True, check=False).allow_plain_http


def test_local_mode_may_reach_a_workshop_stand_in_over_plain_http(monkeypatch):
    monkeypatch.setattr(connection_module, "room_stand_in_answers", lambda url: None)
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_STANDIN_URL", "http://192.0.2.10:8000")
    hf = connect(quiet=True)
    assert hf.allow_plain_http  # the throw-away token may go to the room's stand-in
    assert hf.settings.router_url == "http://192.0.2.10:8000"


# --- exporting the settings for snippet cells --------------------------------------------------


def test_local_mode_exports_the_stand_in_for_snippets():
    hf = connect(quiet=True)
    assert os.environ["HF_ROUTER_URL"] == hf.stand_in_url
    assert os.environ["HF_HUB_URL"] == hf.stand_in_url
    assert os.environ["HF_ENDPOINT_URL"] == hf.stand_in_url + contract.ENDPOINT_PREFIX
    assert os.environ["HF_TOKEN"] == hf.token
    assert os.environ["HF_TUTORIAL_MODE"] == "local"


def test_a_second_connect_gives_the_learners_reason_not_its_own_export(capsys):
    # Bug caught: re-running Setup said "(HF_TUTORIAL_MODE=local in the environment)", a
    # setting the learner never made: the first connect() had exported it.
    connect()
    capsys.readouterr()
    assert connect().is_local
    assert "(no token was found)" in capsys.readouterr().out


def test_a_second_connect_stays_local():
    # bug caught: the exported throw-away token made the second connect() go live
    connect(quiet=True)
    assert connect(quiet=True).is_local


def test_live_mode_exports_the_real_values(monkeypatch, tmp_path):
    token = local_token()
    (tmp_path / ".env").write_text(f"HF_TOKEN={token}\n")  # only in .env: snippets need it too
    hf = connect(quiet=True, check=False)
    assert hf.mode == "live"
    assert os.environ["HF_TOKEN"] == token
    assert os.environ["HF_ROUTER_URL"] == contract.ROUTER_URL
    assert os.environ["HF_HUB_URL"] == contract.HUB_URL
    assert os.environ["HF_TUTORIAL_MODE"] == "live"
    assert "HF_ENDPOINT_URL" not in os.environ


def test_an_explicit_live_mode_after_local_reads_the_learners_settings(monkeypatch):
    token = local_token()
    monkeypatch.setenv("HF_TOKEN", token)
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    connect(quiet=True)
    hf = connect("live", quiet=True, check=False)
    assert hf.token == token  # not the stand-in's throw-away token exported by the first call
    assert hf.settings.router_url == contract.ROUTER_URL


def test_export_can_be_turned_off():
    before = dict(os.environ)
    connect(quiet=True, export=False)
    assert dict(os.environ) == before


# --- fallback(): a 402 answered by the stand-in, anything else untouched ---------------------


def answered(status: int, request: requests.PreparedRequest) -> requests.Response:
    """A Response with ``status`` to ``request``, built without a socket."""
    response = requests.Response()
    response.status_code, response.request, response.url = status, request, request.url
    response._content = b"{}"
    return response


def chat_request(token: str) -> requests.PreparedRequest:
    return requests.Request(
        "POST",
        "https://router.huggingface.co/v1/chat/completions?trace=1",
        headers={"Authorization": f"Bearer {token}", "X-HF-Bill-To": "my-org"},
        json={"model": contract.CHAT_MODEL, "messages": [{"role": "user", "content": "Hi"}]},
    ).prepare()


@pytest.mark.parametrize("status", [200, 401, 403, 404, 429, 500])
def test_fallback_returns_any_answer_but_402_unchanged(status, capsys, monkeypatch):
    monkeypatch.setattr(requests, "request", lambda *a, **k: pytest.fail("nothing is re-sent"))
    hf = live_like("https://router.huggingface.co", local_token())
    response = answered(status, chat_request(hf.token))
    assert hf.fallback(response) is response
    assert capsys.readouterr().out == ""


def test_fallback_resends_a_402_to_the_stand_in_without_the_learners_token(capsys, monkeypatch):
    learner = local_token()
    sent: dict = {}
    monkeypatch.setattr(connect, "stand_in_url", lambda: "http://127.0.0.1:9")

    def record(method, url, **kwargs):
        sent.update(kwargs, method=method, url=url)
        return answered(200, requests.Request(method, url).prepare())

    monkeypatch.setattr(requests, "request", record)
    hf = live_like("https://router.huggingface.co", learner)
    request = chat_request(learner)

    hf.fallback(answered(402, request))

    said = capsys.readouterr().out
    assert said.count("\n") == 1 and "402" in said and "credits" in said  # one sentence
    assert sent["method"] == "POST"
    assert sent["url"] == "http://127.0.0.1:9/v1/chat/completions?trace=1"
    assert sent["data"] == request.body  # the same JSON body
    assert sent["headers"]["X-HF-Bill-To"] == "my-org"
    assert learner not in sent["headers"]["Authorization"]
    assert contract.TOKEN_PATTERN.fullmatch(sent["headers"]["Authorization"].split()[-1])
    assert learner not in said


def test_fallback_gets_the_stand_ins_answer_to_a_real_402(token):
    with start(credits_usd=0.0) as spent:
        hf = live_like(spent.url, token)
        body = {"model": contract.CHAT_MODEL, "messages": [{"role": "user", "content": "Hi"}]}
        refused = requests.post(
            f"{spent.url}/v1/chat/completions",
            headers={"Authorization": f"Bearer {token}"},
            json=body,
            timeout=10,
        )
        assert refused.status_code == 402
        response = hf.fallback(refused)
    assert response.status_code == 200
    assert contract.STAND_IN_HEADER in response.headers
    assert response.json()["choices"][0]["message"]["content"]


# --- endpoints, both request shapes, serving() -----------------------------------------------


def test_endpoint_url_is_a_base_for_both_shapes(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", local_token())
    monkeypatch.setenv("HF_ENDPOINT_URL", "https://xyz.endpoints.huggingface.cloud/")
    hf = connect(quiet=True, check=False)
    assert hf.text_generation_url() == "https://xyz.endpoints.huggingface.cloud"
    assert hf.endpoint_url == "https://xyz.endpoints.huggingface.cloud"


def test_serving_falls_back_when_the_router_lacks_the_model(capsys, token):
    with start(router_serves_gpt2=False) as router_like:
        chosen = live_like(router_like.url, token).serving(contract.GPT2)
    said = capsys.readouterr().out
    assert chosen.is_local
    assert "not served" in said and "HF_ENDPOINT_URL" in said


def test_serving_falls_back_when_the_hub_cannot_be_reached(capsys, token, dead_url):
    before = dict(os.environ)
    chosen = live_like(dead_url, token).serving(contract.GPT2)
    said = capsys.readouterr().out
    assert chosen.is_local
    assert "Could not ask the Hub" in said and "Traceback" not in said
    assert dict(os.environ) == before  # the rest of the notebook stays live


def test_serving_keeps_a_connection_that_serves_the_model(stand_in, token):
    hf = live_like(stand_in.url, token)
    assert hf.serving("gpt2") is hf


# --- the reviewer's set-ups: a dead room stand-in, a captive portal, a dead router -------------


def test_a_room_stand_in_that_does_not_answer_is_replaced_by_our_own(monkeypatch, capsys, dead_url):
    # bug caught: banner "LOCAL STAND-IN at <dead>", then a ConnectionFailedError traceback
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_STANDIN_URL", dead_url)
    hf = connect()
    said = capsys.readouterr().out.splitlines()
    assert hf.is_local and hf.stand_in_url != dead_url
    assert said[0].startswith(f"The room's stand-in at {dead_url} (HF_STANDIN_URL) does not")
    banner = said[-1]
    assert banner.startswith(f"LOCAL STAND-IN at {hf.stand_in_url} (HF_STANDIN_URL={dead_url}")
    assert banner.endswith("check HF_STANDIN_URL and that it is running, then run connect() again.")
    assert (
        "stand-in"
        in hf.text_generation(hf.text_generation_url(), PROMPT, max_new_tokens=2).answered_by
    )


def test_a_room_stand_in_that_answers_is_used(monkeypatch, stand_in):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_STANDIN_URL", stand_in.url)
    assert connect(quiet=True).stand_in_url == stand_in.url


def test_a_captive_portal_is_not_the_hub(monkeypatch, capsys, portal):
    # bug caught: whoami's HTML answer was "not a reason to leave live mode"; error cells followed
    monkeypatch.setenv("HF_TOKEN", local_token())
    monkeypatch.setenv("HF_ROUTER_URL", portal)
    monkeypatch.setenv("HF_HUB_URL", portal)
    hf = connect()
    said = capsys.readouterr().out
    assert hf.is_local
    assert f"{portal} answered, but not like the Hugging Face Hub (a captive portal or proxy?)" in (
        said
    )
    assert said.splitlines()[-1].endswith("(or fix HF_HUB_URL), then run connect() again.")


@pytest.mark.parametrize("router", ["dead", "portal"])
def test_the_router_is_checked_too(router, monkeypatch, capsys, stand_in, dead_url, portal):
    # bug caught: only the Hub was checked; LIVE, and later cells crashed on the router
    router_url = dead_url if router == "dead" else portal
    monkeypatch.setenv("HF_TOKEN", local_token())
    monkeypatch.setenv("HF_ROUTER_URL", router_url)
    monkeypatch.setenv("HF_HUB_URL", stand_in.url)
    hf = connect()
    said = capsys.readouterr().out
    assert hf.is_local, said
    if router == "dead":
        assert said.startswith(f"Could not reach {router_url} (Connection refused)")
        assert "HF_ROUTER_URL" in said.splitlines()[0]
    else:
        assert "not like the Hugging Face router" in said
    assert "HF_ROUTER_URL" in said.splitlines()[-1]


@pytest.mark.parametrize(
    ("setup", "last_sentence"),
    [
        ("no token", "To go live, put HF_TOKEN in .env and restart the kernel"),
        ("live without a token", "To go live, put HF_TOKEN in .env and restart the kernel"),
        ("unreachable", "check the network connection and HF_HUB_URL, then run connect() again."),
        ("refused", "replace HF_TOKEN in .env with a current token"),
        ("bad url", "To go live, fix the setting named above, then restart the kernel."),
    ],
)
def test_the_banners_last_sentence_fits_the_reason(
    setup, last_sentence, monkeypatch, capsys, stand_in, dead_url
):
    # bug caught: always "To go live, put HF_TOKEN in .env", even to a learner who had
    if setup == "live without a token":
        monkeypatch.setenv("HF_TUTORIAL_MODE", "live")
    elif setup == "unreachable":
        monkeypatch.setenv("HF_TOKEN", local_token())
        monkeypatch.setenv("HF_HUB_URL", dead_url)
    elif setup == "refused":
        monkeypatch.setenv("HF_TOKEN", "hf_not_a_real_token")
        monkeypatch.setenv("HF_ROUTER_URL", stand_in.url)
        monkeypatch.setenv("HF_HUB_URL", stand_in.url)
    elif setup == "bad url":
        monkeypatch.setenv("HF_TOKEN", local_token())
        monkeypatch.setenv("HF_ROUTER_URL", "router.huggingface.co")
    assert connect().is_local
    banner = capsys.readouterr().out.splitlines()[-1]
    assert banner.startswith("LOCAL STAND-IN")
    assert last_sentence in banner, banner
    if setup not in ("no token", "live without a token"):
        assert "put HF_TOKEN in .env" not in banner
