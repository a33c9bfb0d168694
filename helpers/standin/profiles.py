"""The stand-in's profiles as ONE TABLE of what differs (``DIFFERENCES``; sources: REFERENCES.md).

``teaching`` (default) serves the classic tutorials' gpt2 so every lesson runs offline and says
it is a stand-in; ``today`` plays the service as the references say it is now (no gpt2, no
hf-inference LLM, Free's $0.10 of credits, router-shaped ids). Explicit knobs win over a
profile's row.
"""

from __future__ import annotations

import time
import uuid
from collections import namedtuple

DIFFERENCES: dict[str, tuple[object, object]] = {
    "router_serves_gpt2": (True, False),  # [Router], hf_hub #3052
    "seed_path_serves_gpt2": (True, False),
    "hf_inference_llms": (True, False),  # hub-docs 71e38a21
    "credits_usd": (None, 0.10),  # pricing.md: Free
    "user_name": ("standin-learner", "ada-learner"),
    "full_name": ("Stand-in Learner", "Ada Learner"),
    "token_display_name": ("tutorial (stand-in)", "tutorial"),
    "marks_stand_in": (True, False),
    "stream_delay_ms": (25.0, 0.0),
    "system_fingerprint": ("stand-in", None),
    "compute_type": ("stand-in-cpu", "cpu"),  # INFERRED (pricing.md)
}
"""field -> (teaching, today); ``marks_stand_in``: answers may say "stand-in" (x-request-id,
x-standin-*). INFERRED too: today's classic ``{"inputs"}`` body to an hf-inference LLM is a 404."""


class Profile(namedtuple("ProfileRow", ["name", *DIFFERENCES])):
    """One column of ``DIFFERENCES`` (its fields are the table's rows), with the ids it shapes."""

    def request_id(self) -> str:
        """Return an ``x-request-id``: ``standin-…`` when marking, else the router's shape."""
        if self.marks_stand_in:
            return "standin-" + uuid.uuid4().hex[:20]
        return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"

    def response_id(self, prefix: str) -> str:
        """Return an OpenAI-style answer id, e.g. ``chatcmpl-…`` (both profiles: the router's)."""
        return f"{prefix}-{uuid.uuid4().hex[:24]}"


PROFILES: dict[str, Profile] = {
    name: Profile(name, **{key: row[column] for key, row in DIFFERENCES.items()})
    for column, name in enumerate(("teaching", "today"))
}
DEFAULT_PROFILE = "teaching"


def profile_named(name: str) -> Profile:
    """Return the profile called ``name``; a ValueError names the known ones."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; the profiles are {', '.join(PROFILES)}")
    return PROFILES[name]
