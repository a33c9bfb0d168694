"""helpers.client.config: token lookup, modes, redaction and the transport rule."""

from __future__ import annotations

import pytest

from helpers import contract
from helpers.client import config
from helpers.client.errors import ConfigurationError
from helpers.lessons.connection import local_token

SETTING_NAMES = (
    *contract.TOKEN_ENV_VARS,
    "HF_TUTORIAL_MODE",
    "HF_ENDPOINT_URL",
    "HF_STANDIN_URL",
    "HF_ROUTER_URL",
    "HF_HUB_URL",
)


def test_hf_token_wins_over_seed_variable(project):
    environ = {"HF_TOKEN": "first", "HUGGINGFACE_API_TOKEN": "second"}
    assert config.find_token(environ) == "first"


def test_seed_variable_is_read_when_hf_token_is_absent(project):
    assert config.find_token({"HUGGINGFACE_API_TOKEN": "seed"}) == "seed"


def test_dotenv_is_read_after_the_environment(project):
    (project / ".env").write_text("HF_TOKEN=from-dotenv\n")
    assert config.find_token({}) == "from-dotenv"
    assert config.find_token({"HF_TOKEN": "env"}) == "env"
    assert config.find_token({"HUGGINGFACE_API_TOKEN": "seed"}) == "seed"  # environment first


def test_blank_values_count_as_missing(project):
    (project / ".env").write_text("HF_TOKEN=\n")
    assert config.find_token({"HF_TOKEN": "  "}) is None


def test_get_token_without_a_token_raises_an_actionable_error(project):
    with pytest.raises(ConfigurationError) as info:
        config.get_token()
    assert ".env" in str(info.value)
    assert "How to fix it" in str(info.value)


@pytest.mark.parametrize(
    ("wanted", "token", "expected"),
    [
        ("auto", "tok", "live"),
        ("auto", None, "local"),
        ("local", "tok", "local"),
        ("live", None, "live"),
        (None, None, "local"),
        (" LIVE ", None, "live"),
    ],
)
def test_resolve_mode(project, wanted, token, expected):
    environ = {} if wanted is None else {contract.MODE_ENV_VAR: wanted}
    found = config.Setting("HF_TOKEN", token, "environment") if token else None
    assert config.mode_and_reason(environ, found)[0] == expected


def test_unknown_mode_names_the_choices(project):
    with pytest.raises(ConfigurationError, match="local, live, auto"):
        config.mode_and_reason({contract.MODE_ENV_VAR: "offline"})


# --- every setting read the same way: environment, then .env ----------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A temporary project folder as the working directory, with no HF_* variable set."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_every_setting_is_read_from_dotenv_found_upwards(project, monkeypatch, name):
    # bug caught: only the token was read from .env, HF_TUTORIAL_MODE and the URLs ignored
    (project / ".env").write_text(f"{name}=from-dotenv\n")
    (project / "notebooks").mkdir()
    monkeypatch.chdir(project / "notebooks")
    found = config.read_setting(name)
    assert (found.value, found.source) == ("from-dotenv", ".env")


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_the_environment_wins_over_dotenv_for_every_setting(project, monkeypatch, name):
    (project / ".env").write_text(f"{name}=from-dotenv\n")
    monkeypatch.setenv(name, "from-env")
    found = config.read_setting(name)
    assert (found.value, found.source) == ("from-env", "environment")


def test_mode_and_reason_say_where_the_mode_came_from(project):
    (project / ".env").write_text("HF_TUTORIAL_MODE=local\nHF_TOKEN=x\n")
    token = config.token_setting()
    assert config.mode_and_reason(token=token) == ("local", "HF_TUTORIAL_MODE=local in .env")
    (project / ".env").write_text("HF_TOKEN=x\n")
    mode, reason = config.mode_and_reason(token=config.token_setting())
    assert mode == "live" and reason.startswith("a token was found in .env (HF_TOKEN)")


def test_a_token_setting_never_shows_the_token(project):
    token = local_token()
    (project / ".env").write_text(f"HF_TOKEN={token}\n")
    setting = config.token_setting()
    assert setting.value == token and token not in repr(setting)


def test_live_settings_build_every_url_from_router_and_hub(project, monkeypatch):
    (project / ".env").write_text(
        "HF_ROUTER_URL=https://router.example/\nHF_HUB_URL=https://hub.example\n"
        "HF_ENDPOINT_URL=https://e.example/\n"
    )
    settings = config.Settings.live("t")
    assert settings.router_url == "https://router.example"
    assert settings.hub_api_url == "https://hub.example/api"
    assert settings.hub_url == "https://hub.example"
    assert settings.endpoint_url == "https://e.example"


def test_live_settings_default_to_the_real_service(project):
    settings = config.Settings.live("t")
    assert (settings.router_url, settings.hub_url) == (contract.ROUTER_URL, contract.HUB_URL)
    assert settings.endpoint_url is None


@pytest.mark.parametrize("value", ["router.huggingface.co", "ftp://x", "https://"])
def test_a_url_setting_that_is_not_a_url_is_a_configuration_error(project, monkeypatch, value):
    monkeypatch.setenv("HF_ROUTER_URL", value)
    with pytest.raises(ConfigurationError, match="HF_ROUTER_URL"):
        config.Settings.live("t")


def test_redact_keeps_only_the_last_four_characters():
    token = local_token()
    shown = config.redact(token)
    assert shown == "hf_…" + token[-4:]
    assert token[4:-4] not in shown


@pytest.mark.parametrize(
    ("value", "shown"), [(None, "<no token>"), ("", "<no token>"), ("short", "<hidden>")]
)
def test_redact_of_missing_or_short_values_shows_nothing(value, shown):
    assert config.redact(value) == shown


def test_settings_repr_never_contains_the_token():
    token = local_token()
    settings = config.Settings("live", token, contract.ROUTER_URL, contract.HUB_URL + "/api")
    assert token not in repr(settings)
    assert token not in str(settings)


@pytest.mark.parametrize(
    "url",
    [
        "https://router.huggingface.co/v1/chat/completions",
        "http://127.0.0.1:8000/models/gpt2",
        "http://localhost:8000/models/gpt2",
        "http://[::1]:8000/models/gpt2",
        "http://127.5.5.5/x",
    ],
)
def test_token_may_travel_over_https_or_to_loopback(url):
    config.check_transport(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://router.huggingface.co/v1/chat/completions",
        "http://192.168.1.10:8000/models/gpt2",
        "http://localhost.example.com/x",
        "ftp://127.0.0.1/x",
    ],
)
def test_token_never_travels_over_plain_http_to_another_host(url):
    with pytest.raises(ConfigurationError):
        config.check_transport(url)
