"""``connect()``: the one call at the top of every notebook, and the Connection it returns.

It decides local or live (``HF_TUTORIAL_MODE``, a token or not, each read from the environment
then ``.env``), checks once that the live service answers and accepts the token, starts the
local stand-in when needed, prints a banner that says who answers and why, and exports the
settings into ``os.environ`` for the ``snippet`` cells. The Connection *is* an
InferenceSession (one object, one vocabulary) that also knows its settings and URLs.

Live mode degrades, never crashes: when the Hub cannot be reached or refuses the token,
``connect()`` says so in plain words and the notebook goes on with the stand-in. ``connect``
is a Connector object: what it exported last and the stand-in it started live on it, so a
later ``connect()`` in the same kernel can put back what the previous one wrote.
"""

from __future__ import annotations

import os
import secrets
import string
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from .. import contract
from ..client import config
from ..client.errors import (
    APIError,
    ConfigurationError,
    RequestTimeoutError,
)
from ..client.session import InferenceSession
from ..contract import GPT2, STANDIN_URL_ENV_VAR
from .live_check import check_live, live_url_settings, room_stand_in_answers

NEXT_STEP_NO_TOKEN = (
    "To go live, put HF_TOKEN in .env and restart the kernel (HF_TUTORIAL_MODE=auto or live)."
)
NEXT_STEP_SETTING = "To go live, fix the setting named above, then restart the kernel."
NEXT_STEP_ROOM = (f"To use the room's stand-in, check {STANDIN_URL_ENV_VAR} and that it is "
                  "running, then run connect() again.")  # fmt: skip
NO_CREDITS = (
    "HTTP 402: your Inference Providers credits are spent; buy credits or upgrade to PRO "
    "(https://huggingface.co/docs/inference-providers/pricing), and meanwhile the local "
    "stand-in answers this same request."
)
_NOT_RESENT_HEADERS = {"authorization", "host", "content-length", "cookie"}


def local_token() -> str:
    """Return a throw-away, well-formed token for the stand-in (never a real one)."""
    return "hf_" + "".join(secrets.choice(string.ascii_letters) for _ in range(34))


@dataclass
class Exports:
    """What one ``connect()`` wrote into ``os.environ`` and what those names held before."""

    written: dict[str, str | None] = field(default_factory=dict)
    before: dict[str, str | None] = field(default_factory=dict)

    def ours(self, name: str) -> bool:
        """Return True when ``name`` still holds what we wrote (nobody changed it since)."""
        return name in self.written and os.environ.get(name) == self.written[name]

    def write(self, values: dict[str, str | None], previous: Exports | None = None) -> None:
        """Write ``values`` (None: remove); remember the learner's values, not a previous export's."""
        for name, value in values.items():
            mine = previous is not None and previous.ours(name)
            self.before[name] = previous.before.get(name) if mine else os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
            self.written[name] = value

    def undo(self) -> None:
        """Put back what the names held before, except where someone changed them since."""
        for name in [n for n in self.written if self.ours(n)]:
            if self.before.get(name) is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = self.before[name]
        self.written.clear()


class Connection(InferenceSession):
    """An InferenceSession that knows where this notebook's requests go (``settings``), and why.

    ``next_step`` is the banner's last sentence when local (how to go live).
    """

    def __init__(
        self,
        settings: config.Settings,
        *,
        next_step: str = "",
        connector: Any = None,
        **options: Any,
    ) -> None:
        # Local, the token is a throw-away one, so a room's stand-in on plain http may get it.
        super().__init__(settings.token, allow_plain_http=settings.mode == "local", **options)
        self.settings, self.next_step = settings, next_step
        self.exports = Exports()
        self.connector = connector or connect

    @property
    def mode(self) -> str:
        """Return ``"local"`` or ``"live"``."""
        return self.settings.mode

    @property
    def is_local(self) -> bool:
        """Return True when the local stand-in answers."""
        return self.settings.mode == "local"

    @property
    def stand_in_url(self) -> str | None:
        """Return the stand-in's URL when local, else None."""
        return self.settings.router_url if self.is_local else None

    @property
    def token(self) -> str | None:
        """Return the token (for building your own headers; never print it)."""
        return self.settings.token

    @property
    def endpoint_url(self) -> str | None:
        """Return HF_ENDPOINT_URL, or locally the stand-in's emulated gpt2 Endpoint, or None."""
        if self.settings.endpoint_url:
            return self.settings.endpoint_url
        if self.is_local and self.stand_in_url:
            return self.stand_in_url + contract.ENDPOINT_PREFIX
        return None

    @property
    def chat_url(self) -> str:
        """Return the router's OpenAI-compatible chat completions URL."""
        return f"{self.settings.router_url}/v1/chat/completions"

    def banner(self) -> str:
        """Return the one-line description of who answers and why, shown by ``connect()``."""
        why = f" ({self.settings.reason})" if self.settings.reason else ""
        if self.is_local:
            return (
                f"LOCAL STAND-IN at {self.stand_in_url}{why}: answers come from helpers.standin, "
                "a tiny text generator of our own, not from Hugging Face. "
                + (self.next_step or NEXT_STEP_NO_TOKEN)
            )
        return (
            f"LIVE: requests go to {self.settings.router_url} with token "
            f"{self.settings.token_hint}{why}; they use your credits. HF_TUTORIAL_MODE=local "
            "switches to the offline stand-in."
        )

    def model_url(self, model_id: str = GPT2, provider: str = "hf-inference") -> str:
        """Return the router URL of a classic task model, e.g. ``…/hf-inference/models/gpt2``."""
        return f"{self.settings.router_url}/{provider}/models/{model_id}"

    def text_generation_url(self, model_id: str = GPT2) -> str:
        """Return where a classic text-generation body goes: HF_ENDPOINT_URL, else the router."""
        return self.settings.endpoint_url or self.model_url(model_id)

    def fallback(self, response: requests.Response) -> requests.Response:
        """Return ``response``, or for a 402 (no credits left) the stand-in's answer to its request.

        A 402 prints ``NO_CREDITS`` and sends the same request (method, path and query, body,
        headers) to this process' stand-in with a throw-away token: the learner's token is
        never re-sent. The answer carries ``X-Stand-In``, so a cell can say who answered.

        >>> response = hf.fallback(requests.post(url, headers=headers, json=body))  # doctest: +SKIP
        """
        if response.status_code != 402:
            return response
        print(NO_CREDITS)
        sent = response.request
        parts = urlsplit(sent.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {k: v for k, v in sent.headers.items() if k.lower() not in _NOT_RESENT_HEADERS}
        headers["Authorization"] = f"Bearer {local_token()}"
        return requests.request(
            sent.method or "POST",
            self.connector.stand_in_url() + path,
            data=sent.body,
            headers=headers,
            timeout=(5, 60),
        )

    def doctor(self, model: str | None = None, call: bool = False) -> Any:
        """Return the report of ``python -m helpers.doctor`` on the learner's own settings."""
        from ..doctor import diagnose  # the doctor sits above the lessons (pyproject's layers)

        return diagnose(model, call, exports=getattr(self.connector.last, "exports", None))

    def is_served(self, model_id: str, provider: str = "hf-inference") -> bool:
        """Return True when the Hub maps ``model_id`` to ``provider`` with status live."""
        mapping = self.model_providers(self.settings.hub_api_url, model_id)
        return any(m.get("provider") == provider and m.get("status") == "live" for m in mapping)

    def serving(self, model_id: str = GPT2, provider: str = "hf-inference") -> Connection:
        """Return a Connection that serves ``model_id``: this one, or a local one instead.

        Live without HF_ENDPOINT_URL, the Hub is asked whether ``provider`` serves the model;
        when it does not (gpt2 today) or cannot be asked, this says so and returns a local
        Connection, so the lesson goes on and nobody mistakes the stand-in's text for the
        model's. This Connection and the exported settings stay live.
        """
        if self.is_local or self.settings.endpoint_url:
            return self
        try:
            if self.is_served(model_id, provider):
                return self
            said = f"{model_id} is not served by {provider} today (the Hub lists no live mapping)."
        except APIError as error:
            said = (
                f"Could not ask the Hub whether {provider} serves {model_id} "
                f"({type(error).__name__}: {error.message})."
            )
        print(
            f"{said} The cells that need it use the local stand-in instead; set "
            "HF_ENDPOINT_URL to your own Inference Endpoint to use the real model."
        )
        return self.connector("local", quiet=True, export=False)


class Connector:
    """``connect``: makes Connections, and remembers what the last one exported and the stand-in.

    One Connector per kernel (``helpers.connect``); a test makes its own.
    """

    def __init__(self) -> None:
        self.last: Connection | None = None
        self.stand_in: Any = None

    def stand_in_url(self) -> str:
        """Return the URL of this Connector's stand-in, starting it on first use."""
        if self.stand_in is None or not self.stand_in.running:
            from ..standin import start  # the web framework loads only when a stand-in starts

            self.stand_in = start()
        return self.stand_in.url

    def _local(self, reason: str, next_step: str, said: list[str]) -> tuple[Any, str, dict]:
        """Return (local Settings, next step, url settings): HF_STANDIN_URL's stand-in, or ours.

        What to tell the learner is appended to ``said``, printed with the banner in one go.
        """
        url = (config.read_setting(STANDIN_URL_ENV_VAR).value or "").strip().rstrip("/")
        named = {url: STANDIN_URL_ENV_VAR} if url else {}
        failed = room_stand_in_answers(url) if url else None
        if failed is not None:
            cause = failed.message.rsplit(": ", 1)[-1].rstrip(".")
            cause = "no answer in time" if isinstance(failed, RequestTimeoutError) else cause
            said.append(
                f"The room's stand-in at {url} ({STANDIN_URL_ENV_VAR}) does not answer "
                f"({cause}). This notebook starts a stand-in of its own on this machine "
                "instead; ask whether the room's is running, then run connect() again."
            )
            reason, next_step = f"{STANDIN_URL_ENV_VAR}={url} did not answer", NEXT_STEP_ROOM
            url, named = "", {}
        url = url or self.stand_in_url()
        settings = config.Settings("local", local_token(), url, f"{url}/api", reason=reason)
        return settings, next_step, named

    def _choose(self, environ: dict[str, str], check: bool) -> tuple[Any, str, str, str]:
        """Return (live Settings or None, the problem or "", the reason, the next step)."""
        settings = None
        try:
            token = config.token_setting()
            resolved, reason = config.mode_and_reason(environ, token)
            if resolved == "live":
                settings = config.Settings.live(token.value or config.get_token(), reason=reason)
                if check:
                    config.check_transport(settings.hub_api_url)
                    failed = check_live(settings)
                    if failed:
                        return settings, *failed
        except ConfigurationError as error:
            missing = error.parameter == contract.TOKEN_ENV_VARS[0]
            reason = "live mode was asked for, but " + (
                "no token was found" if missing else "the settings have a problem")  # fmt: skip
            step = NEXT_STEP_NO_TOKEN if missing else NEXT_STEP_SETTING
            return None, f"{error.message} {error.hint}", reason, step
        return settings, "", reason, ""

    def __call__(
        self,
        mode: str | None = None,
        *,
        quiet: bool = False,
        retries: int = 3,
        check: bool = True,
        export: bool = True,
    ) -> Connection:
        """Return a Connection for this notebook, printing a banner that says who answers.

        ``mode`` overrides ``HF_TUTORIAL_MODE`` ("local", "live" or "auto"). ``check=False``
        skips the one live check. ``export=False`` leaves ``os.environ`` alone. Problems with
        the live set-up are said in plain words and the Connection is local instead.
        """
        previous = self.last.exports if self.last else None
        if mode is not None and export and previous:
            previous.undo()  # an explicit mode reads the learner's settings, not ours
        environ = {**os.environ, **({contract.MODE_ENV_VAR: mode} if mode else {})}
        settings, problem, reason, next_step = self._choose(environ, check)
        if (
            mode is None
            and self.last
            and settings is None
            and not problem
            and (os.environ.get(contract.MODE_ENV_VAR) == self.last.settings.mode)
        ):  # the mode in the environment is the one we exported: say the learner's reason
            reason = self.last.settings.reason
        said = [f"{problem}\nThis notebook uses the local stand-in instead."] if problem else []
        if settings is None or problem:
            settings, next_step, named = self._local(reason, next_step, said)
        else:
            named = live_url_settings(settings)
        hf = Connection(settings, next_step=next_step, retries=retries, url_settings=named,
                        connector=self)  # fmt: skip
        if export:
            hf.exports.write(self.exported(hf), previous)
            self.last = hf
        said += [] if quiet else [hf.banner()]
        if said:  # one print: a kernel would split prints made around the stand-in's start
            print("\n".join(said))
        return hf

    @staticmethod
    def exported(hf: Connection) -> dict[str, str | None]:
        """Return what snippet cells read: {HF_ROUTER_URL, HF_HUB_URL, …: value or None}.

        Local, the mode is pinned to ``local``, so that a second ``connect()`` stays local.
        """
        return {
            contract.ROUTER_URL_ENV_VAR: hf.settings.router_url,
            contract.HUB_URL_ENV_VAR: hf.settings.hub_url,
            contract.ENDPOINT_ENV_VAR: hf.endpoint_url,
            contract.TOKEN_ENV_VARS[0]: hf.settings.token,
            contract.MODE_ENV_VAR: hf.settings.mode,
        }


connect = Connector()
"""The notebooks' ``connect()``: ``hf = connect()``."""
