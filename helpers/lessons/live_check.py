"""The one live check of ``connect()``: do the Hub and the router answer, and is the token accepted?

Each answer that stops live mode is a Fallback: what to say, the banner's reason and its last
sentence (how to go live). Nothing here raises for a network or HTTP failure.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .. import contract
from ..client import config
from ..client.errors import (
    APIError,
    AuthenticationError,
    ConnectionFailedError,
    RequestTimeoutError,
)
from ..client.session import InferenceSession

CHECK_TIMEOUT = (3.05, 5.0)  # (connect, read) seconds for connect()'s one check
INFERENCE_PERMISSION = "inference.serverless.write"
"""The fine-grained permission shown as "Make calls to Inference Providers"."""
TOKENS_PAGE = "https://huggingface.co/settings/tokens"
PERMISSION = "the 'Make calls to Inference Providers' permission"
NEXT_STEP_PERMISSION = f"To go live, give the token {PERMISSION}, then run connect() again."
UNREACHABLE = (ConnectionFailedError, RequestTimeoutError)
NEW_TOKEN = (
    f"Create a new token at {TOKENS_PAGE}, put it in .env as HF_TOKEN=..., and restart the kernel.",
    f"To go live, replace HF_TOKEN in .env with a current token from {TOKENS_PAGE}, then restart "
    "the kernel.",
)


class Fallback(NamedTuple):
    """Why live mode cannot go on: what to say, the banner's reason, the banner's next step."""

    said: str
    reason: str
    next_step: str


def may_call_inference(whoami: dict[str, Any]) -> bool:
    """Return True when a whoami-v2 body's token may call Inference Providers: a ``read`` or
    ``write`` token, or a fine-grained one with ``inference.serverless.write``."""
    access = ((whoami.get("auth") or {}).get("accessToken")) or {}
    fine = access.get("fineGrained") or {}
    permissions = set(fine.get("global") or [])
    for scope in fine.get("scoped") or []:
        permissions.update(scope.get("permissions") or [])
    return access.get("role") in ("read", "write") or INFERENCE_PERMISSION in permissions


def _ask(session: InferenceSession, url: str, host: str, setting: str, what: str) -> Any:
    """Return the JSON at ``url`` (None for an HTTP error but whoami's 401/403, which is raised),
    or the Fallback for no answer or an answer that is not the service's (a portal)."""
    auth = "whoami" in url
    try:
        data, _ = session.json("GET", url, auth=auth)
        portal = not isinstance(data, dict) or ("name" not in data and "data" not in data)
    except UNREACHABLE as error:
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
            f"To go live, check the network connection and {setting}, then run connect() again.",
        )
    except AuthenticationError:
        if auth:
            raise
        return None
    except APIError as error:
        portal, data = error.status is not None and error.status < 300, None
    if portal:
        return Fallback(
            f"{host} answered, but not like {what} (a captive portal or proxy?): sign in to the "
            f"network in a browser, or check {setting}, then run connect() again.",
            f"live mode was asked for, but {host} did not answer like {what}",
            f"To go live, sign in to the network in a browser (or fix {setting}), then run "
            "connect() again.",
        )
    return data


def check_live(settings: config.Settings) -> Fallback | None:
    """Return None when the Hub's whoami-v2 accepts the token (with the inference permission)
    and the router's free /v1/models answers; else why not. Short timeouts, no retries."""
    hub, router, token = settings.hub_url, settings.router_url, config.redact(settings.token)
    with InferenceSession(settings.token, timeout=CHECK_TIMEOUT, retries=0) as session:
        whoami = f"{settings.hub_api_url}/whoami-v2"
        try:
            found = _ask(session, whoami, hub, contract.HUB_URL_ENV_VAR, "the Hugging Face Hub")
        except AuthenticationError as error:
            fix, step = f"Give it {PERMISSION}, then restart the kernel.", NEXT_STEP_PERMISSION
            if error.status == 401:
                fix, step = NEW_TOKEN
            said = f"{hub} refused the token {token} (HTTP {error.status}: {error.message}). {fix}"
            return Fallback(said, f"live mode was asked for, but {hub} refused the token", step)
        if isinstance(found, Fallback):
            return found
        if found is not None and not may_call_inference(found):  # every call would be a 403
            role = ((found.get("auth") or {}).get("accessToken") or {}).get("role")
            return Fallback(
                f"The token {token} (user {found.get('name')}, role {role}) may not call "
                f"Inference Providers. Give it {PERMISSION} at {TOKENS_PAGE}, then restart "
                "the kernel.",
                "live mode was asked for, but the token may not call Inference Providers",
                NEXT_STEP_PERMISSION,
            )
        what = "the Hugging Face router"
        found = _ask(session, f"{router}/v1/models", router, contract.ROUTER_URL_ENV_VAR, what)
        return found if isinstance(found, Fallback) else None


def room_stand_in_answers(url: str) -> APIError | None:
    """Return None when something answers HTTP at ``url``; else the connection error."""
    with InferenceSession(None, timeout=CHECK_TIMEOUT, retries=0) as session:
        try:
            session.request("GET", f"{url}/v1/models", auth=False)
        except UNREACHABLE as error:
            return error
        except APIError:
            pass
    return None
