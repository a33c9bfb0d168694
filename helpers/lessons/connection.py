"""``connect()``: the one call at the top of every notebook, and the Connection it returns.

It decides local or live (``HF_TUTORIAL_MODE``, a token or not), checks once that the live
service answers and accepts the token, else says why and starts the local stand-in; prints a
banner that says who answers and why; and exports the settings into ``os.environ`` for the
``snippet`` cells. ``connect`` is a Connector: it keeps the last Connection and its stand-in.
"""

from __future__ import annotations

import os
import secrets
import string
from typing import Any

import requests

from .. import contract
from ..client import config
from ..client.errors import APIError, ConfigurationError, RequestTimeoutError
from ..client.session import InferenceSession
from ..contract import GPT2, STANDIN_URL_ENV_VAR
from .live_check import Fallback, check_live, room_stand_in_answers

NEXT_STEP_NO_TOKEN = (
    "To go live, put HF_TOKEN in .env and restart the kernel (HF_TUTORIAL_MODE=auto or live)."
)
NEXT_STEP_SETTING = "To go live, fix the setting named above, then restart the kernel."
NEXT_STEP_ROOM = (
    f"To use the room's stand-in, check {STANDIN_URL_ENV_VAR} and that it is running, then run "
    "connect() again."
)
NO_CREDITS = (
    "HTTP 402: your Inference Providers credits are spent; buy credits or upgrade to PRO "
    "(https://huggingface.co/docs/inference-providers/pricing), and meanwhile the local "
    "stand-in answers this same request."
)
NOT_RESENT_HEADERS = {"authorization", "host", "content-length", "cookie"}
HF = "hf-inference"


def local_token() -> str:
    """Return a throw-away, well-formed token for the stand-in (never a real one)."""
    return "hf_" + "".join(secrets.choice(string.ascii_letters) for _ in range(34))


class Connection(InferenceSession):
    """An InferenceSession that knows where this notebook's requests go (``settings``), and why.

    ``next_step`` is the banner's last sentence when local (how to go live)."""

    def __init__(
        self,
        settings: config.Settings,
        *,
        next_step: str = "",
        connector: Any = None,
        **options: Any,
    ) -> None:
        super().__init__(settings.token, allow_plain_http=settings.mode == "local", **options)
        self.settings, self.next_step = settings, next_step
        self.connector = connector or connect
        self.written: dict[str, str | None] = {}  # what connect() exported for this Connection
        self.before: dict[str, str | None] = {}  # and what those names held for the learner

    mode = property(lambda self: self.settings.mode, doc='"local" or "live".')
    is_local = property(lambda self: self.settings.mode == "local")
    token = property(lambda self: self.settings.token, doc="The token (never print it).")
    stand_in_url = property(lambda self: self.settings.router_url if self.is_local else None)

    @property
    def endpoint_url(self) -> str | None:
        """Return HF_ENDPOINT_URL, or locally the stand-in's emulated gpt2 Endpoint, or None."""
        if self.settings.endpoint_url or not self.is_local:
            return self.settings.endpoint_url
        return self.settings.router_url + contract.ENDPOINT_PREFIX

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
            f"{config.redact(self.settings.token)}{why}; they use your credits. HF_TUTORIAL_MODE=local "
            "switches to the offline stand-in."
        )

    def text_generation_url(self, model_id: str = GPT2) -> str:
        """Return where a classic text-generation body goes: HF_ENDPOINT_URL, else the router."""
        return self.settings.endpoint_url or f"{self.settings.router_url}/{HF}/models/{model_id}"

    def fallback(self, response: requests.Response) -> requests.Response:
        """Return ``response``, or for a 402 (no credits) the stand-in's answer to the same request.

        Says ``NO_CREDITS`` and re-sends it with a throw-away token, never the learner's."""
        if response.status_code != 402:
            return response
        print(NO_CREDITS)
        sent = response.request
        headers = {k: v for k, v in sent.headers.items() if k.lower() not in NOT_RESENT_HEADERS}
        headers["Authorization"] = f"Bearer {local_token()}"
        url = self.connector.stand_in_url() + sent.path_url
        return requests.request(
            sent.method or "POST", url, data=sent.body, headers=headers, timeout=(5, 60)
        )

    def doctor(self, model: str | None = None, call: bool = False) -> Any:
        """Return the report of ``python -m helpers.doctor`` on the learner's own settings."""
        from ..doctor import diagnose  # the doctor sits above the lessons (pyproject's layers)

        return diagnose(model, call, environ=connect.learner_environ())

    def serving(self, model_id: str = GPT2) -> Connection:
        """Return this Connection if it serves ``model_id`` (HF_ENDPOINT_URL, or hf-inference
        per the Hub), else say so and return a local one; the exports stay live."""
        if self.is_local or self.settings.endpoint_url:
            return self
        try:
            mapping = self.model_providers(self.settings.hub_api_url, model_id)
            if any(m.get("provider") == HF and m.get("status") == "live" for m in mapping):
                return self
            said = f"{model_id} is not served by {HF} today (the Hub lists no live mapping)."
        except APIError as error:
            said = (
                f"Could not ask the Hub whether {HF} serves {model_id} "
                f"({type(error).__name__}: {error.message})."
            )
        print(
            f"{said} The cells that need it use the local stand-in instead; set "
            "HF_ENDPOINT_URL to your own Inference Endpoint to use the real model."
        )
        return self.connector("local", quiet=True, export=False)


class Connector:
    """``connect``: makes Connections, and remembers the last one (``last``) and the stand-in."""

    def __init__(self) -> None:
        self.last: Connection | None = None
        self.stand_in: Any = None

    def stand_in_url(self) -> str:
        """Return the URL of this Connector's stand-in, starting it on first use."""
        if self.stand_in is None or not self.stand_in.running:
            from ..standin import start  # the web framework loads only when a stand-in starts

            self.stand_in = start()
        return self.stand_in.url

    def _local(self, reason: str, next_step: str, said: list[str]) -> tuple[Any, str]:
        """Return (local Settings, next step): HF_STANDIN_URL's stand-in if it answers, or ours."""
        url = (config.read_setting(STANDIN_URL_ENV_VAR).value or "").strip().rstrip("/")
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
        url = url if url and failed is None else self.stand_in_url()
        return config.Settings("local", local_token(), url, f"{url}/api", reason=reason), next_step

    def learner_environ(self) -> dict[str, str]:
        """Return ``os.environ`` with the learner's values where the last export still holds."""
        environ = dict(os.environ)
        for name, value in self.last.written.items() if self.last else ():
            if environ.get(name) == value:
                environ.pop(name, None)
                if self.last.before.get(name) is not None:
                    environ[name] = self.last.before[name]
        return environ

    @staticmethod
    def _choose(environ: dict[str, str], check: bool) -> tuple[Any, str, Fallback | None]:
        """Return (live Settings or None, the reason to be local, why live failed or None)."""
        try:
            token = config.token_setting(environ)
            resolved, reason = config.mode_and_reason(environ, token)
            if resolved != "live":
                return None, reason, None
            token = config.get_token(environ)
            settings = config.Settings.live(token, environ=environ, reason=reason)
            if check:
                config.check_transport(settings.hub_api_url)
                failed = check_live(settings)
                if failed:
                    return None, "", failed
            return settings, reason, None
        except ConfigurationError as error:
            missing = error.parameter == contract.TOKEN_ENV_VARS[0]
            problem = "no token was found" if missing else "the settings have a problem"
            step = NEXT_STEP_NO_TOKEN if missing else NEXT_STEP_SETTING
            said = f"{error.message} {error.hint}"
            return None, "", Fallback(said, f"live mode was asked for, but {problem}", step)

    def __call__(
        self,
        mode: str | None = None,
        *,
        quiet: bool = False,
        retries: int = 3,
        check: bool = True,
        export: bool = True,
    ) -> Connection:
        """Return a Connection, printing who answers; ``mode`` overrides HF_TUTORIAL_MODE (not
        what an earlier call exported), ``check=False`` skips the live check."""
        learner = self.learner_environ()
        environ = {**learner, **({contract.MODE_ENV_VAR: mode} if mode else {})}
        settings, reason, failed = self._choose(environ, check)
        said, next_step = [], ""
        if failed:
            said = [f"{failed.said}\nThis notebook uses the local stand-in instead."]
            reason, next_step = failed.reason, failed.next_step
        if settings is None:
            settings, next_step = self._local(reason, next_step, said)
        hf = Connection(settings, next_step=next_step, retries=retries, connector=self)
        if export:
            hf.written = {
                contract.ROUTER_URL_ENV_VAR: settings.router_url,
                contract.HUB_URL_ENV_VAR: settings.hub_url,
                contract.ENDPOINT_ENV_VAR: hf.endpoint_url,
                contract.TOKEN_ENV_VARS[0]: settings.token,
                contract.MODE_ENV_VAR: settings.mode,  # locally pinned: a second call stays local
            }
            hf.before = {name: learner.get(name) for name in hf.written}
            for name, value in hf.written.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self.last = hf
        said += [] if quiet else [hf.banner()]
        if said:  # one print: a kernel would split prints made around the stand-in's start
            print("\n".join(said))
        return hf


connect = Connector()
"""The notebooks' ``connect()``: ``hf = connect()``."""
