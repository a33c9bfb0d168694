"""Small facts about URLs: is a host this machine, and joining a base URL with a path."""

from __future__ import annotations

import ipaddress


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


def join(base: str, path: str) -> str:
    """Return ``base`` and ``path`` joined by exactly one slash.

    >>> join("https://x.endpoints.huggingface.cloud/", "/v1/completions")
    'https://x.endpoints.huggingface.cloud/v1/completions'
    """
    return base.rstrip("/") + "/" + path.lstrip("/")
