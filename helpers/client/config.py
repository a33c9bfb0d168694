"""Configuration: where the token comes from, which service answers, and the URLs.

Everything a notebook needs to know about its surroundings is decided here, once:

* the token: ``HF_TOKEN``, then the seed tutorial's ``HUGGINGFACE_API_TOKEN``, then the same
  two names in a ``.env`` file; ``getpass`` only when someone can type;
* the mode: ``HF_TUTORIAL_MODE`` = ``local`` | ``live`` | ``auto`` (``auto``: live when a
  token is found, else the local stand-in);
* the live URLs (router, Hub API, an optional dedicated endpoint) from hf-api-facts.md §1.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values, find_dotenv

from ..contract import (
    HUB_URL,
    MODE_ENV_VAR,
    TOKEN_ENV_VARS,
    TOKEN_PATTERN,
)
from .errors import InsecureTransportError, MissingTokenError

HUB_API_URL = HUB_URL + "/api"
"""The Hub API: whoami-v2 and model availability."""
MODES = ("local", "live", "auto")


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


def _dotenv_path() -> str:
    """Return the path of the nearest ``.env`` (from the working directory up), or ''."""
    return find_dotenv(usecwd=True)


def find_token(environ: dict[str, str] | None = None, dotenv_path: str | None = None) -> str | None:
    """Return the first token found, or None. Never prompts, never prints.

    Order: ``HF_TOKEN`` and ``HUGGINGFACE_API_TOKEN`` in the environment, then the same two
    names in the ``.env`` file (the environment wins, as python-dotenv does by default).
    """
    environ = os.environ if environ is None else environ
    for name in TOKEN_ENV_VARS:
        value = (environ.get(name) or "").strip()
        if value:
            return value
    path = _dotenv_path() if dotenv_path is None else dotenv_path
    if path and Path(path).is_file():
        values = dotenv_values(path)
        for name in TOKEN_ENV_VARS:
            value = (values.get(name) or "").strip()
            if value:
                return value
    return None


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
    environ: dict[str, str] | None = None,
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


def resolve_mode(environ: dict[str, str] | None = None, token: str | None = None) -> str:
    """Return ``"local"`` or ``"live"`` from ``HF_TUTORIAL_MODE`` and whether a token exists."""
    environ = os.environ if environ is None else environ
    wanted = (environ.get(MODE_ENV_VAR) or "auto").strip().lower()
    if wanted not in MODES:
        raise ValueError(
            f"{MODE_ENV_VAR}={wanted!r} is not a mode. Use one of: {', '.join(MODES)} "
            "(auto = live when a token is found, otherwise the local stand-in)."
        )
    if wanted == "auto":
        return "live" if token else "local"
    return wanted


def is_loopback_host(host: str | None) -> bool:
    """Return True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
    """Where requests go and with which token. ``repr`` never shows the token."""

    mode: str
    token: str | None = field(repr=False)
    router_url: str
    hub_api_url: str
    endpoint_url: str | None = None

    def __repr__(self) -> str:
        return (
            f"Settings(mode={self.mode!r}, token={redact(self.token)!r}, "
            f"router_url={self.router_url!r}, hub_api_url={self.hub_api_url!r}, "
            f"endpoint_url={self.endpoint_url!r})"
        )

    @property
    def token_hint(self) -> str:
        """Return the redacted token, for display."""
        return redact(self.token)
