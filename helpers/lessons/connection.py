"""``connect()``: the one call at the top of every notebook.

It decides local or live (``HF_TUTORIAL_MODE``, a token or not), starts the local stand-in
when needed, prints a one-line banner that says who will answer, and returns a Connection
with the URLs and a ready InferenceSession.
"""

from __future__ import annotations

import os
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from .. import contract
from ..client import config
from ..client.errors import HFError, MissingTokenError
from ..client.session import Generation, InferenceSession
from ..contract import CHAT_MODEL, GPT2, STANDIN_URL_ENV_VAR
from ..standin import start

_LOCAL_STAND_IN: Any = None


def local_token() -> str:
    """Return a throw-away, well-formed token for the stand-in (never a real one)."""
    return "hf_" + "".join(secrets.choice(string.ascii_letters) for _ in range(34))


def shared_stand_in() -> Any:
    """Return this process' stand-in, starting it on first use."""
    global _LOCAL_STAND_IN

    if _LOCAL_STAND_IN is None or not _LOCAL_STAND_IN.running:
        _LOCAL_STAND_IN = start()
    return _LOCAL_STAND_IN


@dataclass
class Connection:
    """Where this notebook's requests go, with which token, through which Session."""

    settings: config.Settings
    session: InferenceSession = field(repr=False)
    stand_in_url: str | None = None

    @property
    def mode(self) -> str:
        """Return ``"local"`` or ``"live"``."""
        return self.settings.mode

    @property
    def is_local(self) -> bool:
        """Return True when the local stand-in answers."""
        return self.settings.mode == "local"

    @property
    def token(self) -> str | None:
        """Return the token (for building your own headers; never print it)."""
        return self.settings.token

    def banner(self) -> str:
        """Return the one-line description of who answers, shown by ``connect()``."""
        if self.is_local:
            return (
                f"LOCAL STAND-IN at {self.stand_in_url}: answers come from helpers.standin, "
                "a small n-gram model, not from Hugging Face. To go live, put HF_TOKEN in .env "
                "and restart the kernel (HF_TUTORIAL_MODE=auto or live)."
            )
        return (
            f"LIVE: requests go to {self.settings.router_url} with token "
            f"{self.settings.token_hint}; they use your credits. HF_TUTORIAL_MODE=local "
            "switches to the offline stand-in."
        )

    def model_url(self, model_id: str = GPT2, provider: str = "hf-inference") -> str:
        """Return the router URL of a classic task model, e.g. ``…/hf-inference/models/gpt2``."""
        return f"{self.settings.router_url}/{provider}/models/{model_id}"

    def text_generation_url(self, model_id: str = GPT2) -> str:
        """Return where gpt2-style text generation is sent: HF_ENDPOINT_URL if set, else the router."""
        if self.settings.endpoint_url:
            return self.settings.endpoint_url
        return self.model_url(model_id)

    @property
    def chat_url(self) -> str:
        """Return the OpenAI-compatible chat completions URL of the router."""
        return f"{self.settings.router_url}/v1/chat/completions"

    @property
    def models_url(self) -> str:
        """Return the router's list of chat models (``GET``, no token needed)."""
        return f"{self.settings.router_url}/v1/models"

    def chat(self, messages: list[dict], model: str = CHAT_MODEL, **options: Any) -> dict[str, Any]:
        """Return a chat completion from the router (see InferenceSession.chat)."""
        return self.session.chat(self.chat_url, model, messages, **options)

    def generate(self, inputs: str, model_id: str = GPT2, **parameters: Any) -> Generation:
        """Return a Generation from the classic contract (see InferenceSession.text_generation)."""
        return self.session.text_generation(
            self.text_generation_url(model_id), inputs, **parameters
        )

    def whoami(self) -> dict[str, Any]:
        """Return the whoami-v2 body for this connection's token."""
        return self.session.whoami(self.settings.hub_api_url)

    def model_providers(self, model_id: str) -> list[dict[str, Any]]:
        """Return which providers serve ``model_id`` (the Hub's inferenceProviderMapping)."""
        return self.session.model_providers(self.settings.hub_api_url, model_id)

    def is_served(self, model_id: str, provider: str = "hf-inference") -> bool:
        """Return True when ``provider`` serves ``model_id`` with status live."""
        return any(
            m.get("provider") == provider and m.get("status") == "live"
            for m in self.model_providers(model_id)
        )

    def serving(self, model_id: str = GPT2, provider: str = "hf-inference") -> Connection:
        """Return a Connection that serves ``model_id``: this one, or the stand-in instead.

        Live, with no ``HF_ENDPOINT_URL``, the Hub is asked whether ``provider`` serves the
        model; when it does not (gpt2 today), this says so and returns a local Connection,
        so that the lesson goes on and nobody mistakes the stand-in's text for the model's.
        """
        if self.is_local or self.settings.endpoint_url or self.is_served(model_id, provider):
            return self
        print(
            f"{model_id} is not served by {provider} today (the Hub lists no live mapping). "
            "The cells that need it use the local stand-in instead; set HF_ENDPOINT_URL to "
            "your own Inference Endpoint to use the real model."
        )
        return connect("local")


def connect(mode: str | None = None, *, quiet: bool = False, retries: int = 3) -> Connection:
    """Return a Connection for this notebook, printing a banner that says who answers.

    ``mode`` overrides ``HF_TUTORIAL_MODE`` ("local", "live" or "auto").
    """
    environ = dict(os.environ)
    if mode is not None:
        environ[contract.MODE_ENV_VAR] = mode
    found = config.find_token()
    resolved = config.resolve_mode(environ, found)
    if resolved == "live" and not found:
        try:
            found = config.get_token()
        except MissingTokenError as error:
            print(f"{error}\nThis notebook uses the local stand-in instead.")
            resolved = "local"
    if resolved == "live":
        token = found
        settings = config.Settings(
            mode="live",
            token=token,
            router_url=contract.ROUTER_URL,
            hub_api_url=config.HUB_API_URL,
            endpoint_url=(os.environ.get(contract.ENDPOINT_ENV_VAR) or "").strip() or None,
        )
        stand_in_url = None
    else:
        stand_in_url = (os.environ.get(STANDIN_URL_ENV_VAR) or "").strip().rstrip("/")
        if not stand_in_url:
            stand_in_url = shared_stand_in().url
        settings = config.Settings(
            mode="local",
            token=local_token(),
            router_url=stand_in_url,
            hub_api_url=f"{stand_in_url}/api",
        )
    # In local mode the token is a throw-away one, so a workshop stand-in on the room's
    # network (plain http) may receive it; a real token only ever travels over https.
    session = InferenceSession(
        settings.token, retries=retries, allow_plain_http=settings.mode == "local"
    )
    connection = Connection(settings, session, stand_in_url)
    if not quiet:
        print(connection.banner())
    return connection


__all__ = ["CHAT_MODEL", "Connection", "GPT2", "HFError", "connect", "local_token"]
