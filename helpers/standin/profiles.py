"""The stand-in's profiles, as ONE TABLE of what differs between them (``DIFFERENCES``).

``teaching`` (the default) plays a service on which the seed tutorial's gpt2 is still served, so
that every lesson runs offline; its answers say openly that they come from a stand-in.
``today`` plays the service as the references say it is now (sections of
``notebooks/REFERENCES.md``, which cite the primary sources), so that the notebooks' live code
paths and ``helpers.tools.check_live`` can be rehearsed offline; only the ``X-Stand-In`` header
says it is a stand-in. Knobs passed explicitly (``StandInOptions``) win over a profile's row.

Sources of the ``today`` column:

- ``router_serves_gpt2`` / ``seed_path_serves_gpt2``: gpt2 is served nowhere, the router answers
  its plain-text 404 and the Hub's mapping is empty ([Text generation]: huggingface_hub #3052,
  #3148, rig #985; [Router]).
- ``hf_inference_llms``: hub-docs list no hf-inference LLM since 2026-07-01 (``71e38a21``);
  those models ran on vLLM behind the OpenAI routes only (huggingface.js PR #2180). INFERRED:
  the classic ``{"inputs"}`` body to an hf-inference LLM reaches no route: the plain 404.
- ``credits_usd``: Free's "$0.10, subject to change" a month (hub-docs ``pricing.md`` @
  ``242f4a1e``), the 402 secondary; a full live run of the notebooks spends about $0.0011.
- request ids ``Root=1-<hex time>-<24 hex>`` (headers quoted in rig #985); ``x-compute-type``
  ``cpu`` (INFERRED: hf-inference "focuses mostly on CPU inference", hub-docs ``pricing.md``;
  TGI's own default is ``gpu+optimized``); ``system_fingerprint`` null as vLLM sends it.
- ``stream_delay_ms``: the teaching profile paces streams (25 ms, ~40 tokens a second) so that a
  person sees the text arrive; today sends at once (the router's pace depends on the provider).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

__all__ = ["DEFAULT_PROFILE", "DIFFERENCES", "PROFILES", "Profile", "profile_named"]

FREE_MONTHLY_CREDITS_USD = 0.10

DIFFERENCES: dict[str, tuple[object, object]] = {
    # field                   teaching                          today
    "router_serves_gpt2":     (True,                            False),
    "seed_path_serves_gpt2":  (True,                            False),
    "hf_inference_llms":      (True,                            False),
    "credits_usd":            (None,                            FREE_MONTHLY_CREDITS_USD),
    "user_name":              ("standin-learner",               "ada-learner"),
    "full_name":              ("Stand-in Learner",              "Ada Learner"),
    "token_display_name":     ("tutorial (stand-in)",           "tutorial"),
    "marks_stand_in":         (True,                            False),
    "stream_delay_ms":        (25.0,                            0.0),
    "system_fingerprint":     ("stand-in",                      None),
    "compute_type":           ("stand-in-cpu",                  "cpu"),
    "task_model_description": ("Served by the local stand-in.", ""),
}  # fmt: skip
"""field -> (teaching, today): everything the two profiles do differently."""


@dataclass(frozen=True)
class Profile:
    """One column of ``DIFFERENCES``; ``marks_stand_in`` also shapes the ids below."""

    name: str
    router_serves_gpt2: bool
    """gpt2 on ``/hf-inference/models/openai-community/gpt2`` and in its provider mapping."""
    seed_path_serves_gpt2: bool
    """gpt2 on the seed tutorial's ``/models/gpt2`` whatever ``router_serves_gpt2`` says."""
    hf_inference_llms: bool
    """The catalogue's hf-inference LLMs served and mapped (else their routes 404)."""
    credits_usd: float | None
    user_name: str
    full_name: str
    token_display_name: str
    marks_stand_in: bool
    """True: answers may say "stand-in" (ids, names, ``x-standin-*`` headers, wording)."""
    stream_delay_ms: float
    system_fingerprint: str | None
    compute_type: str
    task_model_description: str

    def request_id(self) -> str:
        """Return an ``x-request-id``: ``standin-…`` when marking, else the router's shape."""
        if self.marks_stand_in:
            return "standin-" + uuid.uuid4().hex[:20]
        return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"

    def hub_object_id(self, model_id: str) -> str:
        """Return the ``_id`` of a Hub model: 24 hex digits, as the Hub's (MongoDB) ids are."""
        if self.marks_stand_in:
            return f"standin-{model_id}"
        return uuid.uuid5(uuid.NAMESPACE_URL, model_id).hex[:24]  # stable per model

    def response_id(self, prefix: str) -> str:
        """Return an OpenAI-style answer id, e.g. ``chatcmpl-…`` (``-standin-`` when marking)."""
        middle = "standin-" if self.marks_stand_in else ""
        return f"{prefix}-{middle}{uuid.uuid4().hex[: 24 if not middle else 12]}"


PROFILES: dict[str, Profile] = {
    name: Profile(name, **{field: row[column] for field, row in DIFFERENCES.items()})
    for column, name in enumerate(("teaching", "today"))
}
DEFAULT_PROFILE = "teaching"


def profile_named(name: str) -> Profile:
    """Return the profile called ``name``; a ValueError names the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown stand-in profile {name!r}; the profiles are {', '.join(PROFILES)}"
        ) from None
