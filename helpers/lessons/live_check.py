"""The one live check of ``connect()``: does the Hub answer, accept the token, and the router too?

Each answer that stops live mode comes as a Fallback: what to say, the banner's reason and its
last sentence (how to go live). Nothing here raises for a network or HTTP failure.
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

CHECK_TIMEOUT = (3.05, 5.0)
"""(connect, read) seconds for the one reachability and token check of ``connect()``."""
# fmt: off
NEXT_STEP_UNREACHABLE = "To go live, check the network connection and {setting}, then run connect() again."
NEXT_STEP_REFUSED = ("To go live, replace HF_TOKEN in .env with a current token from "
                     "https://huggingface.co/settings/tokens, then restart the kernel.")
NEXT_STEP_PERMISSION = ("To go live, give the token the 'Make calls to Inference Providers' "
                        "permission, then run connect() again.")
NEXT_STEP_PORTAL = "To go live, sign in to the network in a browser (or fix {setting}), then run connect() again."
# fmt: on
INFERENCE_PERMISSION = "inference.serverless.write"
"""The fine-grained permission shown as "Make calls to Inference Providers"."""


def may_call_inference(whoami: dict[str, Any]) -> bool:
    """Return True when a whoami-v2 body's token may call Inference Providers.

    Classic ``read`` and ``write`` tokens may; a ``fineGrained`` one only with
    ``inference.serverless.write`` among its global or scoped permissions (hub-docs
    ``docs/hub/security-tokens.md``; notebooks/REFERENCES.md, "Tokens").
    """
    access = ((whoami.get("auth") or {}).get("accessToken")) or {}
    fine = access.get("fineGrained") or {}
    permissions = set(fine.get("global") or [])
    for scope in fine.get("scoped") or []:
        permissions.update(scope.get("permissions") or [])
    return access.get("role") in ("read", "write") or INFERENCE_PERMISSION in permissions


class Fallback(NamedTuple):
    """Why live mode cannot go on: what to say, the banner's reason, the banner's next step."""

    said: str
    reason: str
    next_step: str


def _unreachable(host: str, setting: str, error: APIError) -> Fallback:
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
        NEXT_STEP_UNREACHABLE.format(setting=setting),
    )


def _not_the_service(host: str, setting: str, what: str) -> Fallback:
    return Fallback(
        f"{host} answered, but not like {what} (a captive portal or proxy?): sign in to the "
        f"network in a browser, or check {setting}, then run connect() again.",
        f"live mode was asked for, but {host} did not answer like {what}",
        NEXT_STEP_PORTAL.format(setting=setting),
    )


def _ask(session: InferenceSession, url: str, host: str, setting: str, what: str) -> Any:
    """Return the JSON at ``url`` (None for an HTTP error), or the Fallback that stops live mode."""
    auth = "whoami" in url
    try:
        data, _ = session.json("GET", url, auth=auth)
    except (ConnectionFailedError, RequestTimeoutError) as error:
        return _unreachable(host, setting, error)
    except AuthenticationError:
        if auth:
            raise
        return None
    except APIError as error:
        if error.status is not None and error.status < 300:  # a success that is not JSON
            return _not_the_service(host, setting, what)
        return None  # a 429 or 5xx now says nothing about the inference routes
    if not isinstance(data, dict) or (
        "name" not in data and not isinstance(data.get("data"), list)
    ):
        return _not_the_service(host, setting, what)
    return data


def check_live(settings: config.Settings) -> Fallback | None:
    """Return None when the Hub and the router answer and the token is accepted; else why not.

    One ``GET {hub}/api/whoami-v2`` and one ``GET {router}/v1/models`` (no token, free), with
    short timeouts and no retries. A token without the inference permission counts as
    refused; an answer that is not the service's JSON (a captive portal) as not reached.
    """
    hub, router = settings.hub_url, settings.router_url
    with InferenceSession(settings.token, timeout=CHECK_TIMEOUT, retries=0) as session:
        try:
            found = _ask(session, f"{settings.hub_api_url}/whoami-v2", hub,
                         contract.HUB_URL_ENV_VAR, "the Hugging Face Hub")  # fmt: skip
        except AuthenticationError as error:
            fix = ("Create a new token at https://huggingface.co/settings/tokens, put it in .env "
                   "as HF_TOKEN=..., and restart the kernel." if error.status == 401 else
                   "Give it the 'Make calls to Inference Providers' permission, then restart the kernel.")  # fmt: skip
            return Fallback(
                f"{hub} refused the token {settings.token_hint} (HTTP {error.status}: "
                f"{error.message}). {fix}",
                f"live mode was asked for, but {hub} refused the token",
                NEXT_STEP_REFUSED if error.status == 401 else NEXT_STEP_PERMISSION,
            )
        if isinstance(found, Fallback):
            return found
        if found is not None and not may_call_inference(found):  # every call would be a 403
            role = ((found.get("auth") or {}).get("accessToken") or {}).get("role")
            return Fallback(
                f"The token {settings.token_hint} (user {found.get('name')}, role {role}) may "
                "not call Inference Providers. Give it the 'Make calls to Inference Providers' "
                "permission at https://huggingface.co/settings/tokens, then restart the kernel.",
                "live mode was asked for, but the token may not call Inference Providers",
                NEXT_STEP_PERMISSION,
            )
        found = _ask(session, f"{router}/v1/models", router, contract.ROUTER_URL_ENV_VAR,
                     "the Hugging Face router")  # fmt: skip
        return found if isinstance(found, Fallback) else None


def live_url_settings(settings: config.Settings) -> dict[str, str]:
    """Return {base URL: the setting it came from} for a live connection's hints."""
    named: dict[str, list[str]] = {}
    urls = {contract.HUB_URL_ENV_VAR: settings.hub_url, contract.ENDPOINT_ENV_VAR: settings.endpoint_url,
            contract.ROUTER_URL_ENV_VAR: settings.router_url}  # fmt: skip
    for name, url in urls.items():
        if url:
            named.setdefault(url.rstrip("/"), []).append(name)
    return {url: " or ".join(names) for url, names in named.items()}


def room_stand_in_answers(url: str) -> APIError | None:
    """Return None when something answers HTTP at ``url``; else the connection error."""
    with InferenceSession(None, timeout=CHECK_TIMEOUT, retries=0) as session:
        try:
            session.request("GET", f"{url}/v1/models", auth=False)
        except (ConnectionFailedError, RequestTimeoutError) as error:
            return error
        except APIError:
            return None
    return None
