"""Kept for the imports of modules not yet moved to ``errors`` (the OpenAI side's helper
repurposes or deletes this module)."""

from .errors import StandInError, bad_json, body_error, not_found, validation_error

__all__ = ["StandInError", "bad_json", "body_error", "not_found", "validation_error"]
