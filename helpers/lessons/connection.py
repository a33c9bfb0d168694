"""``connect()``: the one call at the top of every notebook.

It decides local or live (``HF_TUTORIAL_MODE``, a token or not, each read from the
environment then ``.env``), checks once that the live service can be reached and accepts the
token, starts the local stand-in when needed, prints a one-line banner that says who will
answer and why, exports the settings for ``snippet`` cells, and returns a Connection with the
URLs and a ready InferenceSession.

Live mode degrades, never crashes: when the Hub cannot be reached (no network, DNS failure,
refused, timeout) or refuses the token (401/403), ``connect()`` says so in plain words and
the notebook goes on with the stand-in.
"""

from __future__ import annotations

import os
import secrets
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import requests

from .. import contract
from ..client import config
from ..client.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConnectionFailedError,
    HFError,
    MissingTokenError,
    PermissionDeniedError,
    RequestTimeoutError,
    UnexpectedResponseError,
)
from ..client.session import Generation, InferenceSession, RoutesSpoken
from ..client.sse import completion_texts
from ..client.tokens import token_summary
from ..client.urls import join
from ..contract import CHAT_MODEL, GPT2, STANDIN_URL_ENV_VAR
from ..standin import start

_LOCAL_STAND_IN: Any = None
CHECK_TIMEOUT = (3.05, 5.0)
"""(connect, read) seconds for the one reachability and token check of ``connect()``."""
EXPORTED_NAMES = (
    contract.ROUTER_URL_ENV_VAR,
    contract.HUB_URL_ENV_VAR,
    contract.ENDPOINT_ENV_VAR,
    contract.TOKEN_ENV_VARS[0],
    contract.MODE_ENV_VAR,
)
"""What ``connect()`` writes into ``os.environ`` for standalone snippet cells."""
NEXT_STEP_NO_TOKEN = (
    "To go live, put HF_TOKEN in .env and restart the kernel (HF_TUTORIAL_MODE=auto or live)."
)
NEXT_STEP_UNREACHABLE = "To go live, check the network connection, then run connect() again."
NEXT_STEP_REFUSED = (
    "To go live, replace HF_TOKEN in .env with a current token from "
    "https://huggingface.co/settings/tokens, then restart the kernel."
)
NEXT_STEP_PERMISSION = (
    "To go live, give the token the 'Make calls to Inference Providers' permission, then run "
    "connect() again."
)
NEXT_STEP_SETTING = "To go live, fix the setting named above, then restart the kernel."
NEXT_STEP_NOT_THE_SERVICE = (
    "To go live, sign in to the network in a browser (or fix the URL setting), then run "
    "connect() again."
)
NO_CREDITS = (
    "HTTP 402: your Inference Providers credits are spent; buy credits or upgrade to PRO "
    "(https://huggingface.co/docs/inference-providers/pricing), and meanwhile the local "
    "stand-in answers this same request."
)
"""What ``Connection.fallback`` says once when the router answers 402 (REFERENCES.md, Pricing)."""
_NOT_RESENT_HEADERS = {"authorization", "host", "content-length", "cookie"}
_BEFORE_EXPORT: dict[str, str | None] = {}
"""The values those variables had before ``connect()`` first exported its own."""
_EXPORTED: dict[str, str | None] = {}
"""The values ``connect()`` exported last (None: removed)."""


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
    next_step: str = ""
    """The banner's last sentence when local: how to go live (or back to the room's stand-in),
    fitted to why this connection is local."""

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

    @property
    def endpoint_url(self) -> str | None:
        """Return the dedicated Endpoint's base URL: HF_ENDPOINT_URL, or the stand-in's own.

        Local, this is the stand-in's emulated gpt2 Endpoint (``{stand-in}/endpoints/gpt2``);
        live, it is None unless HF_ENDPOINT_URL is set.
        """
        if self.settings.endpoint_url:
            return self.settings.endpoint_url
        if self.is_local and self.stand_in_url:
            return self.stand_in_url + contract.ENDPOINT_PREFIX
        return None

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
        """Return where a classic text-generation call goes: HF_ENDPOINT_URL's base, else the router.

        A dedicated Endpoint running TGI or the Inference Toolkit takes the classic body at
        its base URL (``POST /``).
        """
        if self.settings.endpoint_url:
            return self.settings.endpoint_url
        return self.model_url(model_id)

    def completions_url(self, model_id: str = GPT2) -> str:
        """Return where an OpenAI completions call goes.

        ``{HF_ENDPOINT_URL}/v1/completions`` when an Endpoint is set, else the router's
        per-model route ``{router}/hf-inference/models/{id}/v1/completions``.
        """
        base = self.settings.endpoint_url or self.model_url(model_id)
        return join(base, "v1/completions")

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

    def complete(
        self, prompt: str, model_id: str = GPT2, *, max_tokens: int = 20, **options: Any
    ) -> Generation:
        """Return a Generation from the OpenAI completions contract (``choices[0].text``).

        Goes to ``completions_url(model_id)``; see InferenceSession.completion.
        """
        return self.session.completion(
            self.completions_url(model_id), model_id, prompt, max_tokens=max_tokens, **options
        )

    def stream_complete(
        self, prompt: str, model_id: str = GPT2, *, max_tokens: int = 20, **options: Any
    ) -> Iterator[str]:
        """Yield the text pieces of a streamed OpenAI completion, until ``data: [DONE]``."""
        events = self.session.stream_completion(
            self.completions_url(model_id), model_id, prompt, max_tokens=max_tokens, **options
        )
        yield from completion_texts(events)

    def routes_spoken(self, base_url: str | None = None) -> RoutesSpoken:
        """Return which request shapes the server at ``base_url`` answers (default: the Endpoint).

        See InferenceSession.routes_spoken: ``GET /info`` (TGI), then ``GET /v1/models``.
        """
        base = base_url or self.endpoint_url or self.model_url()
        return self.session.routes_spoken(base)

    def fallback(self, response: requests.Response) -> requests.Response:
        """Return ``response``, or for a 402 (no credits left) the stand-in's answer to its request.

        Anything but a 402 comes back unchanged. A 402 prints ``NO_CREDITS`` and sends the same
        request (method, path and query, body, headers) to this process' local stand-in with
        a throw-away token: the learner's token is never re-sent. The answer carries
        ``X-Stand-In``, so the cell can say who answered.

        >>> response = hf.fallback(requests.post(url, headers=headers, json=body))  # doctest: +SKIP
        """
        if response.status_code != 402:
            return response
        print(NO_CREDITS)
        sent = response.request
        parts = urlsplit(sent.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {
            name: value
            for name, value in sent.headers.items()
            if name.lower() not in _NOT_RESENT_HEADERS
        }
        headers["Authorization"] = f"Bearer {local_token()}"
        return requests.request(
            sent.method or "POST",
            shared_stand_in().url + path,
            data=sent.body,
            headers=headers,
            timeout=(5, 60),
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
        model; when it does not (gpt2 today), or the Hub cannot be asked, this says so and
        returns a local Connection, so that the lesson goes on and nobody mistakes the
        stand-in's text for the model's. This Connection and the exported settings stay live.
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
        return connect("local", quiet=True, export=False)


def _forget_own_exports() -> None:
    """Put back what the exported variables held before ``connect()`` wrote them."""
    for name, value in _EXPORTED.items():
        if os.environ.get(name) != value:
            continue  # changed since by someone else: theirs wins
        before = _BEFORE_EXPORT.get(name)
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
    _EXPORTED.clear()


def export_settings(connection: Connection) -> dict[str, str | None]:
    """Write the connection's settings into ``os.environ``; return {name: value or None}.

    So that ``snippet`` cells, which read only ``HF_ROUTER_URL``, ``HF_HUB_URL``,
    ``HF_ENDPOINT_URL`` and ``HF_TOKEN``, call whoever answers this notebook. Local, the mode
    is pinned to ``local``, so that a second ``connect()`` stays local too.
    """
    s = connection.settings
    values: dict[str, str | None] = {
        contract.ROUTER_URL_ENV_VAR: s.router_url,
        contract.HUB_URL_ENV_VAR: s.hub_url,
        contract.ENDPOINT_ENV_VAR: connection.endpoint_url,
        contract.TOKEN_ENV_VARS[0]: s.token,
        contract.MODE_ENV_VAR: s.mode,
    }
    for name, value in values.items():
        if name not in _BEFORE_EXPORT:
            _BEFORE_EXPORT[name] = os.environ.get(name)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
        _EXPORTED[name] = value
    return values


class Fallback(NamedTuple):
    """Why live mode cannot go on: what to say, the banner's reason, the banner's next step."""

    said: str
    reason: str
    next_step: str


def _unreachable(host: str, setting: str, error: APIError) -> Fallback:
    """Return the Fallback for a host that did not answer (refused, DNS, timeout)."""
    cause = error.message.rsplit(": ", 1)[-1].rstrip(".")
    if isinstance(error, RequestTimeoutError):
        cause, likely = "no answer in time", "no network, or a proxy or firewall in the way"
    elif "refused" in cause:
        likely = f"nothing answers at that address: check the URL ({setting})"
    else:
        likely = "no network, or a wrong host name"
    return Fallback(
        f"Could not reach {host} ({cause}): {likely}. Check your connection, then run "
        "connect() again (or restart the kernel).",
        f"live mode was asked for, but {host} could not be reached",
        NEXT_STEP_UNREACHABLE.replace("connection,", f"connection and {setting},"),
    )


def _not_the_service(host: str, setting: str, what: str) -> Fallback:
    """Return the Fallback for a host that answered, but not as ``what`` does (a portal)."""
    return Fallback(
        f"{host} answered, but not like {what} (a captive portal or proxy?): sign in to the "
        f"network in a browser, or check {setting}, then run connect() again.",
        f"live mode was asked for, but {host} did not answer like {what}",
        NEXT_STEP_NOT_THE_SERVICE.replace("the URL setting", setting),
    )


def check_live(settings: config.Settings) -> Fallback | None:
    """Return None when the Hub and the router answer and the token is accepted; else why not.

    One ``GET {hub}/api/whoami-v2`` and one ``GET {router}/v1/models`` (no token, free), each
    with a short timeout and no retries. A token the Hub knows but that lacks the inference
    permission counts as refused; an answer that is not the service's JSON (a captive
    portal's HTML page) counts as not reached. A 429 or 5xx is not a reason to leave live
    mode: the inference routes may still work.
    """
    session = InferenceSession(settings.token, timeout=CHECK_TIMEOUT, retries=0)
    host = settings.hub_url
    try:
        summary = token_summary(session.whoami(settings.hub_api_url))
    except (ConnectionFailedError, RequestTimeoutError) as error:
        session.close()
        return _unreachable(host, contract.HUB_URL_ENV_VAR, error)
    except UnexpectedResponseError:
        session.close()
        return _not_the_service(host, contract.HUB_URL_ENV_VAR, "the Hugging Face Hub")
    except AuthenticationError as error:
        session.close()
        return Fallback(
            f"{host} refused the token {settings.token_hint} (HTTP 401: {error.message}). "
            "Create a new token at https://huggingface.co/settings/tokens, put it in .env as "
            "HF_TOKEN=..., and restart the kernel.",
            f"live mode was asked for, but {host} refused the token",
            NEXT_STEP_REFUSED,
        )
    except PermissionDeniedError as error:
        session.close()
        return Fallback(
            f"{host} refused the token {settings.token_hint} (HTTP 403: {error.message}). "
            "Give it the 'Make calls to Inference Providers' permission, then restart the kernel.",
            f"live mode was asked for, but {host} refused the token",
            NEXT_STEP_PERMISSION,
        )
    except APIError:
        summary = None
    if summary is not None and not summary.can_call_inference:  # every call would answer 403
        session.close()
        return Fallback(
            f"The token {settings.token_hint} (user {summary.user}, role {summary.role}) may not "
            "call Inference Providers. Give it the 'Make calls to Inference Providers' "
            "permission at https://huggingface.co/settings/tokens, then restart the kernel.",
            "live mode was asked for, but the token may not call Inference Providers",
            NEXT_STEP_PERMISSION,
        )
    try:
        return check_router(session, settings.router_url)
    finally:
        session.close()


def check_router(session: InferenceSession, router_url: str) -> Fallback | None:
    """Return None when ``GET {router}/v1/models`` answers the router's model list.

    That route lists the chat models (hub-docs ``docs/inference-providers/hub-api.md``) and
    answers without a token (secondary source), so it costs nothing: notebooks/REFERENCES.md,
    "Router".
    """
    setting = contract.ROUTER_URL_ENV_VAR
    try:
        data, _ = session.json("GET", f"{router_url}/v1/models", auth=False)
    except (ConnectionFailedError, RequestTimeoutError) as error:
        return _unreachable(router_url, setting, error)
    except UnexpectedResponseError:
        return _not_the_service(router_url, setting, "the Hugging Face router")
    except APIError:
        return None  # it answered: a 429 or 5xx now says nothing about the inference routes
    if not (isinstance(data, dict) and isinstance(data.get("data"), list)):
        return _not_the_service(router_url, setting, "the Hugging Face router")
    return None


def room_stand_in_answers(url: str) -> APIError | None:
    """Return None when the stand-in at ``url`` answers ``GET /v1/models``; else the error.

    Any HTTP answer counts (an older stand-in may lack the route); only no connection, or no
    answer within ``CHECK_TIMEOUT``, does not.
    """
    session = InferenceSession(None, timeout=CHECK_TIMEOUT, retries=0, allow_plain_http=True)
    try:
        session.request("GET", f"{url}/v1/models", auth=False)
    except (ConnectionFailedError, RequestTimeoutError) as error:
        return error
    except APIError:
        return None
    finally:
        session.close()
    return None


def _local_settings(reason: str) -> tuple[config.Settings, str, str | None]:
    """Return (local Settings, stand-in URL, what to say): HF_STANDIN_URL's stand-in, or ours.

    A room's stand-in (``HF_STANDIN_URL``) is checked once; when it does not answer, this
    machine's own stand-in answers instead and the reason says so.
    """
    found = config.read_setting(STANDIN_URL_ENV_VAR)
    stand_in_url = (found.value or "").strip().rstrip("/")
    said = None
    if stand_in_url:
        failed = room_stand_in_answers(stand_in_url)
        if failed is not None:
            cause = failed.message.rsplit(": ", 1)[-1].rstrip(".")
            if isinstance(failed, RequestTimeoutError):
                cause = "no answer in time"
            said = (
                f"The room's stand-in at {stand_in_url} ({STANDIN_URL_ENV_VAR}) does not "
                f"answer ({cause}). This notebook starts a stand-in of its own on this machine "
                "instead; ask whether the room's is running, then run connect() again."
            )
            reason = f"{STANDIN_URL_ENV_VAR}={stand_in_url} did not answer"
            stand_in_url = ""
    if not stand_in_url:
        stand_in_url = shared_stand_in().url
    settings = config.Settings(
        mode="local",
        token=local_token(),
        router_url=stand_in_url,
        hub_api_url=f"{stand_in_url}/api",
        reason=reason,
    )
    return settings, stand_in_url, said


def live_url_settings(settings: config.Settings) -> dict[str, str]:
    """Return {base URL: the setting it came from} for a live connection's hints."""
    named: dict[str, list[str]] = {}
    for url, name in (
        (settings.hub_url, contract.HUB_URL_ENV_VAR),
        (settings.router_url, contract.ROUTER_URL_ENV_VAR),
        (settings.endpoint_url, contract.ENDPOINT_ENV_VAR),
    ):
        if url:
            named.setdefault(url.rstrip("/"), []).append(name)
    return {url: " or ".join(names) for url, names in named.items()}


def connect(
    mode: str | None = None,
    *,
    quiet: bool = False,
    retries: int = 3,
    check: bool = True,
    export: bool = True,
) -> Connection:
    """Return a Connection for this notebook, printing a banner that says who answers.

    ``mode`` overrides ``HF_TUTORIAL_MODE`` ("local", "live" or "auto"). ``check=False``
    skips the one live check (whoami-v2 on the Hub). ``export=False`` leaves ``os.environ``
    alone. Problems with the live set-up (no token, an unreachable service, a refused token,
    a bad URL setting) are said in plain words and the Connection is local instead.
    """
    if mode is not None and export and _EXPORTED:
        _forget_own_exports()  # an explicit mode reads the learner's settings, not ours
    environ = dict(os.environ)
    if mode is not None:
        environ[contract.MODE_ENV_VAR] = mode
    problem: str | None = None
    next_step = ""
    settings: config.Settings | None = None
    try:
        token = config.token_setting()
        resolved, reason = config.mode_and_reason(environ, token)
        if resolved == "live":
            value = token.value or config.get_token()
            settings = config.Settings.live(value, reason=reason)
            if check:
                config.check_transport(settings.hub_api_url)
                failed = check_live(settings)
                if failed:
                    problem, reason, next_step = failed
    except MissingTokenError as error:
        problem = f"{error.message} {error.hint}"
        reason = "live mode was asked for, but no token was found"
        next_step = NEXT_STEP_NO_TOKEN
    except ConfigurationError as error:
        problem = f"{error.message} {error.hint}"
        reason = "the live settings have a problem"
        next_step = NEXT_STEP_SETTING
    stand_in_url = None
    url_settings: dict[str, str] = {}
    if settings is None or problem:
        if problem:
            print(f"{problem}\nThis notebook uses the local stand-in instead.")
        settings, stand_in_url, said = _local_settings(reason)
        if said:
            print(said)
            next_step = (
                f"To use the room's stand-in, check {STANDIN_URL_ENV_VAR} and that it is "
                "running, then run connect() again."
            )
        elif config.read_setting(STANDIN_URL_ENV_VAR).found:
            url_settings[stand_in_url] = STANDIN_URL_ENV_VAR
    else:
        url_settings = live_url_settings(settings)
    # In local mode the token is a throw-away one, so a workshop stand-in on the room's
    # network (plain http) may receive it; a real token only ever travels over https.
    session = InferenceSession(
        settings.token,
        retries=retries,
        allow_plain_http=settings.mode == "local",
        url_settings=url_settings,
    )
    connection = Connection(settings, session, stand_in_url, next_step)
    if export:
        export_settings(connection)
    if not quiet:
        print(connection.banner())
    return connection


__all__ = [
    "CHAT_MODEL",
    "Connection",
    "Fallback",
    "GPT2",
    "HFError",
    "check_live",
    "connect",
    "export_settings",
    "local_token",
]
