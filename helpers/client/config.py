"""Configuration: the token, the mode and the URLs, each read the same way.

Every setting comes from the environment first, then from a ``.env`` file (python-dotenv, found
from the working directory upwards): the token (``HF_TOKEN``, then ``HUGGINGFACE_API_TOKEN``),
``HF_TUTORIAL_MODE`` (local | live | auto), ``HF_ENDPOINT_URL``, ``HF_STANDIN_URL``,
``HF_ROUTER_URL`` and ``HF_HUB_URL`` (notebooks/REFERENCES.md, "Router" and "Tokens").
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from dotenv import dotenv_values, find_dotenv

from ..contract import (
    ENDPOINT_ENV_VAR,
    HUB_URL,
    HUB_URL_ENV_VAR,
    MODE_ENV_VAR,
    ROUTER_URL,
    ROUTER_URL_ENV_VAR,
    TOKEN_ENV_VARS,
)
from .errors import ConfigurationError

MODES = ("local", "live", "auto")


def redact(token: str | None) -> str:
    """Return a form of ``token`` that is safe to print: ``hf_…abcd`` at most."""
    if not token or len(token) <= 8:
        return "<hidden>" if token else "<no token>"
    return f"{'hf_' if token.startswith('hf_') else ''}…{token[-4:]}"


@dataclass(frozen=True)
class Setting:
    """One setting's value and where it came from: ``environment``, ``.env`` or ``default``."""

    name: str
    value: str | None = field(repr=False)
    source: str

    @property
    def found(self) -> bool:
        return bool(self.value)

    @property
    def where(self) -> str:
        return "in the environment" if self.source == "environment" else "in .env"


def _first(names: tuple[str, ...], environ: Mapping[str, str] | None) -> Setting | None:
    """Return the first of ``names`` set in the environment, else in ``.env``; blank is unset."""
    for source in ("environment", ".env"):
        if source == "environment":
            values: Mapping[str, str | None] = os.environ if environ is None else environ
        else:
            path = find_dotenv(usecwd=True)  # from the working directory upwards
            values = dotenv_values(path) if path else {}
        for name in names:
            if value := (values.get(name) or "").strip():
                return Setting(name, value, source)
    return None


def read_setting(
    name: str, *, environ: Mapping[str, str] | None = None, default: str | None = None
) -> Setting:
    """Return the Setting ``name``: the environment, then ``.env``, then ``default``."""
    return _first((name,), environ) or Setting(name, default, "default")


def token_setting(environ: Mapping[str, str] | None = None) -> Setting:
    """Return the token's Setting: HF_TOKEN, then HUGGINGFACE_API_TOKEN; environment first."""
    return _first(TOKEN_ENV_VARS, environ) or Setting(TOKEN_ENV_VARS[0], None, "default")


def find_token(environ: Mapping[str, str] | None = None) -> str | None:
    """Return the first token found (environment, then ``.env``), or None. Never prompts."""
    return token_setting(environ).value


def get_token(environ: Mapping[str, str] | None = None) -> str:
    """Return the token (environment, then ``.env``), or raise ConfigurationError with the fix."""
    if token := find_token(environ):
        return token
    raise ConfigurationError(
        "No Hugging Face token found in HF_TOKEN, HUGGINGFACE_API_TOKEN or a .env file.",
        hint="Copy .env.example to .env and put your token after HF_TOKEN=, or run the "
        "notebooks without a token: they then use the local stand-in.",
        parameter=TOKEN_ENV_VARS[0],
    )


def mode_and_reason(
    environ: Mapping[str, str] | None = None, token: Setting | None = None
) -> tuple[str, str]:
    """Return (``"local"`` or ``"live"``, why in words); ConfigurationError for a bad mode."""
    wanted = read_setting(MODE_ENV_VAR, environ=environ, default="auto")
    value = (wanted.value or "auto").strip().lower()
    if value not in MODES:
        raise ConfigurationError(
            f"{MODE_ENV_VAR}={value!r} ({wanted.where}) is not a mode. Use one of: "
            f"{', '.join(MODES)} (auto = live when a token is found, otherwise the local "
            "stand-in).",
            parameter=MODE_ENV_VAR,
        )
    if value != "auto":
        return value, f"{MODE_ENV_VAR}={wanted.value} {wanted.where}"
    token = token or token_setting(environ)
    if token.found:
        return "live", f"a token was found {token.where} ({token.name}) and {MODE_ENV_VAR} is auto"
    return "local", "no token was found"


def url_setting(name: str, default: str | None, environ: Mapping[str, str] | None) -> str | None:
    """Return the URL setting ``name`` without a trailing slash; ConfigurationError if bad."""
    found = read_setting(name, environ=environ, default=default)
    if not found.value:
        return None
    parts = urlsplit(found.value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{name}={found.value!r} ({found.source}) is not an http(s) URL.",
            hint=f"Write the full URL, e.g. {name}=https://..., or remove the line.",
            parameter=name,
        )
    return found.value.rstrip("/")


def check_transport(url: str) -> None:
    """Raise ConfigurationError unless a token may go to ``url``: https, or http to this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "https" or (parts.scheme == "http" and loopback):
        return
    raise ConfigurationError(
        f"Refusing to send a token to {parts.scheme}://{parts.hostname}: only https, or "
        "plain http to this machine, carry a token.",
        hint="Use the https:// URL of the service.",
    )


@dataclass(frozen=True)
class Settings:
    """Where requests go (the Hub's ``/api``, an Endpoint's base or None), with which token
    (never in ``repr``), and why in words (``reason``)."""

    mode: str
    token: str | None = field(repr=False)
    router_url: str
    hub_api_url: str
    endpoint_url: str | None = None
    reason: str = ""

    @property
    def hub_url(self) -> str:
        return self.hub_api_url.removesuffix("/api")

    @classmethod
    def live(
        cls, token: str | None, *, environ: Mapping[str, str] | None = None, reason: str = ""
    ) -> Settings:
        """Return live Settings: URLs from HF_ROUTER_URL, HF_HUB_URL and HF_ENDPOINT_URL."""
        router = url_setting(ROUTER_URL_ENV_VAR, ROUTER_URL, environ) or ROUTER_URL
        hub = url_setting(HUB_URL_ENV_VAR, HUB_URL, environ) or HUB_URL
        endpoint = url_setting(ENDPOINT_ENV_VAR, None, environ)
        return cls("live", token, router, hub + "/api", endpoint, reason)
