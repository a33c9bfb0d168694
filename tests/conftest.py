"""Shared fixtures: stand-in instances and throw-away tokens. Nothing here reaches the network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helpers import local_token
from helpers.standin import StandIn, start


@pytest.fixture(scope="session")
def stand_in() -> Iterator[StandIn]:
    """A stand-in with default knobs, shared by the whole session."""
    with start() as api:
        yield api


@pytest.fixture
def token() -> str:
    """A fresh well-formed token the stand-in accepts."""
    return local_token()


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def post(stand_in: StandIn, auth: dict[str, str]):
    """POST ``{"inputs", "parameters"}`` to a path of the shared stand-in; return the response."""
    import requests

    def send(path: str, inputs, parameters=None) -> requests.Response:
        body = {"inputs": inputs, "parameters": parameters or {}}
        return requests.post(stand_in.url + path, json=body, headers=auth, timeout=10)

    return send


@pytest.fixture
def shared_reference():
    """The project's research notes, beside the checkout (skipped where they are absent)."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "shared" / "reference"
    if not (path / "endpoints_pricing.csv").exists():
        pytest.skip("../shared/reference is not beside this checkout")
    return path
