"""Token checks with the real service's 401/403 bodies (``helpers.contract``), and whoami-v2."""

from __future__ import annotations

from fastapi import Request

from ..contract import (
    INVALID_TOKEN_MESSAGE,
    MISSING_TOKEN_MESSAGE,
    NO_INFERENCE_PERMISSION_MESSAGE,
    TOKEN_PATTERN,
)
from .errors import proxy_error
from .options import StandInOptions
from .profiles import profile_named


def bearer_token(request: Request, options: StandInOptions | None = None) -> str:
    """Return the request's well-formed token, or raise the service's 401; with ``options``, the
    403 for a token listed without the Inference Providers permission."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if not scheme:
        raise proxy_error(401, MISSING_TOKEN_MESSAGE)
    if scheme.lower() != "bearer" or TOKEN_PATTERN.fullmatch(token.strip()) is None:
        raise proxy_error(401, INVALID_TOKEN_MESSAGE)
    if options is not None and token.strip() in options.tokens_without_inference:
        raise proxy_error(403, NO_INFERENCE_PERMISSION_MESSAGE.format(user=options.user_name))
    return token.strip()


def whoami_body(token: str, options: StandInOptions) -> dict:
    """Return a whoami-v2 body shaped like the Hub's: a fine-grained token and its permissions."""
    profile = profile_named(options.profile)
    permissions = ["repo.content.read"]
    if token not in options.tokens_without_inference:
        permissions.append("inference.serverless.write")
    scoped = [{"entity": {"type": "user", "name": options.user_name}, "permissions": permissions}]
    token_info = {
        "displayName": profile.token_display_name,
        "role": "fineGrained",
        "createdAt": "2026-11-01T00:00:00.000Z",
        "fineGrained": {"canReadGatedRepos": False, "global": [], "scoped": scoped},
    }
    who = {"type": "user", "id": "000000000000000000000001", "name": options.user_name}
    plan = {"fullname": profile.full_name, "isPro": False, "canPay": False, "orgs": []}
    return who | plan | {"auth": {"type": "access_token", "accessToken": token_info}}
