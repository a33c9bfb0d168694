"""Configuration: every setting read the same way, the token, the mode and the URLs.

Every setting is read from the environment first, then from a ``.env`` file (python-dotenv,
found from the working directory upwards); the environment wins, as python-dotenv's
``load_dotenv`` does by default. The settings (names in ``helpers.contract``):

* the token: ``HF_TOKEN``, then the seed tutorial's ``HUGGINGFACE_API_TOKEN``; ``getpass``
  only when someone can type;
* ``HF_TUTORIAL_MODE`` = ``local`` | ``live`` | ``auto`` (``auto``: live when a token is
  found, else the local stand-in);
* ``HF_ENDPOINT_URL``: the **base** URL of your own dedicated Inference Endpoint, as Hugging
  Face shows it (huggingface_hub's own ``HF_ENDPOINT`` is something else: the Hub's URL);
* ``HF_STANDIN_URL``: a stand-in shared by a room (a workshop);
* ``HF_ROUTER_URL`` (default ``https://router.huggingface.co``) and ``HF_HUB_URL`` (default
  ``https://huggingface.co``): every live URL is built from these two.

Sources: notebooks/REFERENCES.md, "Router" and "Tokens".
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values, find_dotenv

from ..contract import (
    ENDPOINT_ENV_VAR,
    HUB_URL,
    HUB_URL_ENV_VAR,
    MODE_ENV_VAR,
    ROUTER_URL,
    ROUTER_URL_ENV_VAR,
    STANDIN_URL_ENV_VAR,
    TOKEN_ENV_VARS,
    TOKEN_PATTERN,
)
from .errors import ConfigurationError, InsecureTransportError, MissingTokenError, ModeError
from .urls import is_loopback_host

HUB_API_URL = HUB_URL + "/api"
"""The Hub API of the default Hub: whoami-v2 and model availability."""
MODES = ("local", "live", "auto")
SETTING_NAMES = (
    *TOKEN_ENV_VARS,
    MODE_ENV_VAR,
    ENDPOINT_ENV_VAR,
    STANDIN_URL_ENV_VAR,
    ROUTER_URL_ENV_VAR,
    HUB_URL_ENV_VAR,
)
"""Every setting this package reads, in the order the README lists them."""

__all__ = [
    "HUB_API_URL",
    "MODES",
    "SETTING_NAMES",
    "Setting",
    "Settings",
    "check_transport",
    "find_token",
    "get_token",
    "is_loopback_host",
    "is_well_formed_token",
    "read_setting",
    "redact",
    "resolve_mode",
    "token_setting",
    "url_setting",
]


def redact(token: str | None) -> str:
    """Return a form of ``token`` that is safe to print: ``hf_…abcd`` at most."""
    if not token:
        return "<no token>"
    if len(token) <= 8:
        return "<hidden>"
    prefix = "hf_" if token.startswith("hf_") else ""
    return f"{prefix}…{token[-4:]}"


def is_well_formed_token(token: str | None) -> bool:
    """Return True when ``token`` has the shape of a Hugging Face user access token."""
    return bool(token) and TOKEN_PATTERN.fullmatch(token) is not None


@dataclass(frozen=True)
class Setting:
    """One setting's value and where it came from: ``environment``, ``.env`` or ``default``."""

    name: str
    value: str | None = field(repr=False)
    source: str

    @property
    def found(self) -> bool:
        """Return True when the setting has a non-empty value."""
        return bool(self.value)

    def describe(self) -> str:
        """Return where the value came from, e.g. ``HF_TUTORIAL_MODE=local in .env``.

        Never shows a token's value, only its name.
        """
        if self.source == "default":
            return f"{self.name} not set (default)"
        where = "in the environment" if self.source == "environment" else "in .env"
        if self.name in TOKEN_ENV_VARS:
            return f"{self.name} {where}"
        return f"{self.name}={self.value} {where}"


def _dotenv_file(dotenv_path: str | None) -> dict[str, str | None]:
    """Return the values of ``dotenv_path`` (None: the nearest ``.env``; '': none)."""
    path = find_dotenv(usecwd=True) if dotenv_path is None else dotenv_path
    if path and Path(path).is_file():
        return dict(dotenv_values(path))
    return {}


def read_setting(
    name: str,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | None = None,
    default: str | None = None,
) -> Setting:
    """Return the Setting ``name``: the environment, then ``.env``, then ``default``.

    Blank values count as missing. ``environ`` replaces ``os.environ``; ``dotenv_path``
    names the ``.env`` file (None: search from the working directory up; '': no file).
    """
    environ = os.environ if environ is None else environ
    value = (environ.get(name) or "").strip()
    if value:
        return Setting(name, value, "environment")
    value = (_dotenv_file(dotenv_path).get(name) or "").strip()
    if value:
        return Setting(name, value, ".env")
    return Setting(name, default, "default")


def token_setting(
    environ: Mapping[str, str] | None = None, dotenv_path: str | None = None
) -> Setting:
    """Return the token's Setting: HF_TOKEN, then HUGGINGFACE_API_TOKEN; environment first."""
    environ = os.environ if environ is None else environ
    for name in TOKEN_ENV_VARS:
        found = read_setting(name, environ=environ, dotenv_path="")
        if found.found:
            return found
    for name in TOKEN_ENV_VARS:
        found = read_setting(name, environ={}, dotenv_path=dotenv_path)
        if found.found:
            return found
    return Setting(TOKEN_ENV_VARS[0], None, "default")


def find_token(
    environ: Mapping[str, str] | None = None, dotenv_path: str | None = None
) -> str | None:
    """Return the first token found, or None. Never prompts, never prints.

    Order: ``HF_TOKEN`` and ``HUGGINGFACE_API_TOKEN`` in the environment, then the same two
    names in the ``.env`` file (the environment wins, as python-dotenv does by default).
    """
    return token_setting(environ, dotenv_path).value


def _can_prompt() -> bool:
    """Return True when a person can answer a getpass prompt."""
    if os.environ.get("CI"):
        return False
    if "ipykernel" in sys.modules:
        try:
            from IPython import get_ipython

            kernel = getattr(get_ipython(), "kernel", None)
            return bool(getattr(kernel, "_allow_stdin", False))
        except Exception:  # pragma: no cover - IPython internals differ
            return False
    return sys.stdin is not None and sys.stdin.isatty()


def get_token(
    prompt: bool = True,
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | None = None,
) -> str:
    """Return the token, asking for it with getpass only when someone can type.

    Raises MissingTokenError (with the fix) when there is none and nobody can be asked.
    ``environ`` and ``dotenv_path`` replace the process environment and the ``.env`` search.
    """
    token = find_token(environ, dotenv_path)
    if token:
        return token
    if prompt and _can_prompt():
        token = getpass.getpass("Hugging Face token (input hidden): ").strip()
        if token:
            return token
    raise MissingTokenError(
        "No Hugging Face token found in HF_TOKEN, HUGGINGFACE_API_TOKEN or a .env file.",
        hint="Copy .env.example to .env and put your token after HF_TOKEN=, or run the "
        "notebooks without a token: they then use the local stand-in.",
    )


def resolve_mode(
    environ: Mapping[str, str] | None = None,
    token: str | None = None,
    dotenv_path: str | None = None,
) -> str:
    """Return ``"local"`` or ``"live"`` from ``HF_TUTORIAL_MODE`` and whether a token exists."""
    return mode_and_reason(environ, token, dotenv_path)[0]


def mode_and_reason(
    environ: Mapping[str, str] | None = None,
    token: str | Setting | None = None,
    dotenv_path: str | None = None,
) -> tuple[str, str]:
    """Return (``"local"`` or ``"live"``, where that came from, in words).

    The reason reads like ``HF_TUTORIAL_MODE=local in .env``, ``a token was found in the
    environment`` or ``no token was found``. Raises ModeError for a value that is not a mode.
    """
    wanted = read_setting(MODE_ENV_VAR, environ=environ, dotenv_path=dotenv_path, default="auto")
    value = (wanted.value or "auto").strip().lower()
    if value not in MODES:
        raise ModeError(
            f"{MODE_ENV_VAR}={value!r} ({'in .env' if wanted.source == '.env' else 'in the environment'}) "
            "is not a mode. "
            f"Use one of: {', '.join(MODES)} (auto = live when a token is found, otherwise "
            "the local stand-in)."
        )
    if value != "auto":
        return value, wanted.describe()
    if isinstance(token, Setting):
        where = "in the environment" if token.source == "environment" else "in .env"
        if token.found:
            return "live", f"a token was found {where} ({token.name}) and {MODE_ENV_VAR} is auto"
        return "local", "no token was found"
    if token:
        return "live", f"a token was found and {MODE_ENV_VAR} is auto"
    return "local", "no token was found"


def url_setting(
    name: str,
    default: str | None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | None = None,
) -> str | None:
    """Return the URL setting ``name`` without a trailing slash; ConfigurationError if bad."""
    found = read_setting(name, environ=environ, dotenv_path=dotenv_path, default=default)
    if not found.value:
        return None
    parts = urlsplit(found.value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{name}={found.value!r} ({found.source}) is not an http(s) URL.",
            hint=f"Write the full URL, e.g. {name}=https://..., or remove the line.",
        )
    return found.value.rstrip("/")


def check_transport(url: str) -> None:
    """Raise InsecureTransportError unless a token may be sent to ``url``.

    A token travels only over https, or over plain http to this machine (the stand-in).
    """
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return
    raise InsecureTransportError(
        f"Refusing to send a token to {parts.scheme}://{parts.hostname}: only https, or "
        "plain http to this machine, carry a token.",
        hint="Use the https:// URL of the service.",
    )


@dataclass(frozen=True)
class Settings:
    """Where requests go and with which token. ``repr`` never shows the token.

    ``router_url`` is the base of inference routes, ``hub_api_url`` the Hub's ``/api``,
    ``endpoint_url`` the base URL of a dedicated Inference Endpoint (or None), ``reason``
    why this mode was chosen, in words.
    """

    mode: str
    token: str | None = field(repr=False)
    router_url: str
    hub_api_url: str
    endpoint_url: str | None = None
    reason: str = ""

    def __repr__(self) -> str:
        return (
            f"Settings(mode={self.mode!r}, token={redact(self.token)!r}, "
            f"router_url={self.router_url!r}, hub_api_url={self.hub_api_url!r}, "
            f"endpoint_url={self.endpoint_url!r})"
        )

    @property
    def hub_url(self) -> str:
        """Return the Hub's URL (``hub_api_url`` without ``/api``)."""
        return self.hub_api_url.removesuffix("/api")

    @property
    def token_hint(self) -> str:
        """Return the redacted token, for display."""
        return redact(self.token)

    @classmethod
    def live(
        cls,
        token: str | None,
        *,
        environ: Mapping[str, str] | None = None,
        dotenv_path: str | None = None,
        reason: str = "",
    ) -> Settings:
        """Return live Settings: URLs from HF_ROUTER_URL, HF_HUB_URL and HF_ENDPOINT_URL."""
        kwargs = {"environ": environ, "dotenv_path": dotenv_path}
        router = url_setting(ROUTER_URL_ENV_VAR, ROUTER_URL, **kwargs) or ROUTER_URL
        hub = url_setting(HUB_URL_ENV_VAR, HUB_URL, **kwargs) or HUB_URL
        endpoint = url_setting(ENDPOINT_ENV_VAR, None, **kwargs)
        return cls("live", token, router, hub + "/api", endpoint, reason)
