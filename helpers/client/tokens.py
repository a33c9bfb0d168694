"""Reading a whoami-v2 answer: who the token belongs to and whether it may call inference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INFERENCE_PERMISSION = "inference.serverless.write"
"""The fine-grained permission shown as "Make calls to Inference Providers"."""


@dataclass(frozen=True)
class TokenSummary:
    """What a token is, without the token itself."""

    user: str
    token_name: str | None
    role: str | None
    can_call_inference: bool

    def __str__(self) -> str:
        verdict = (
            "may call Inference Providers"
            if self.can_call_inference
            else (
                "may NOT call Inference Providers: add the 'Make calls to Inference Providers' "
                "permission to this token"
            )
        )
        return f"user {self.user}, token {self.token_name!r} (role {self.role}): {verdict}"


def token_summary(whoami: dict[str, Any]) -> TokenSummary:
    """Return a TokenSummary from a whoami-v2 body.

    Classic ``read`` and ``write`` tokens may call inference; a ``fineGrained`` one only with
    ``inference.serverless.write`` among its global or scoped permissions (hub-docs
    ``docs/hub/security-tokens.md``; notebooks/REFERENCES.md, "Tokens").
    """
    access = ((whoami.get("auth") or {}).get("accessToken")) or {}
    role = access.get("role")
    fine = access.get("fineGrained") or {}
    permissions = set(fine.get("global") or [])
    for scope in fine.get("scoped") or []:
        permissions.update(scope.get("permissions") or [])
    can = role in ("read", "write") or INFERENCE_PERMISSION in permissions
    return TokenSummary(
        user=str(whoami.get("name", "?")),
        token_name=access.get("displayName"),
        role=role,
        can_call_inference=can,
    )
