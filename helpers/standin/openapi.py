"""The stand-in's ``/openapi.json``: every route, body and status it really answers."""

from __future__ import annotations

from fastapi import FastAPI


def document_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` list the error statuses each route can answer."""
