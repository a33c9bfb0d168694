"""The stand-in's profiles: which service it plays.

``teaching`` (the default) plays a service on which the seed tutorial's gpt2 is still served, so
that every lesson runs offline; its answers say openly that they come from a stand-in.

``today`` plays the service as the references say it is today, so that the live code paths of
the notebooks (and ``helpers.tools.check_live``) can be rehearsed without a network. It marks
nothing as a stand-in except the ``X-Stand-In`` header on every answer: no ``x-standin-*``
headers, no stand-in names in whoami, request ids shaped like ordinary ones, no stand-in wording
in the bodies this module's users write. Behaviour by behaviour, with where it comes from
(sections of ``notebooks/REFERENCES.md``, which cite the primary sources):

- gpt2 is not served on the router: ``POST /hf-inference/models/openai-community/gpt2`` and the
  seed's ``POST /models/gpt2`` answer the router's plain-text 404 ``Not Found``, and the Hub's ``inferenceProviderMapping`` for gpt2
  is an empty object. [Text generation] "Is gpt2 served? Probably not": maintainers in
  huggingface_hub #3052 (2025-05-06), plain-text 404 reports (huggingface_hub #3148, rig #985);
  [Router]: an empty mapping object means nobody serves the model. The mapping is primary, the
  404 secondary.
- hf-inference LLMs generate text only on the OpenAI routes,
  ``/hf-inference/models/{id}/v1/completions`` and ``.../v1/chat/completions``: huggingface.js
  commit ``0c994d0d`` (PR #2180, ``packages/inference/src/providers/hf-inference.ts``) says those
  models run on vLLM and "only expose the OpenAI-compatible endpoints". [Text generation], primary.
  The today profile serves none there (``hf_inference_llms``): hub-docs list no hf-inference LLM
  since 2026-07-01 (``71e38a21``; the regenerations up to 2026-08-21 show none), so SmolLM3-3B's
  routes answer the plain-text 404 and its mapping has no hf-inference; the teaching profile
  keeps serving it so that the route can be shown offline.
- ``x-request-id`` has the router's shape, ``Root=1-<hex time>-<24 hex digits>`` (response
  headers quoted in rig #985, 2025-10-25), secondary.
- INFERRED: what the classic ``{"inputs"}`` body gets from an hf-inference LLM. No source says.
  The closest evidence is the same PR: if only the OpenAI routes are exposed, ``POST
  /hf-inference/models/{id}`` reaches no route, and the router answers a request it cannot route
  with its plain-text 404 [Errors]. So the stand-in answers that 404 (``routes/classic.py``:
  the catalogue serves hf-inference LLMs on the OpenAI routes only, in both profiles).
  ``check_live`` sends gpt2's classic body, not an LLM's, so this inference is not probed; a
  maintainer who learns the real answer should change it here.
- The classic route still serves hf-inference's non-LLM tasks (summarization, translation,
  classification, ...): [Router] (huggingface_hub ``_providers/hf_inference.py``) and
  [Text generation] ("Classic ... spoken by hf-inference's non-LLM tasks"), primary.
- Chat goes to the catalogue's providers (``data/models_catalog.csv``): [Router], primary for the
  route, the catalogue's rows cite their own sources.
- whoami-v2 answers for the token: [Tokens], primary (huggingface.js ``api-who-am-i.ts``). The
  user's name and full name below are made up and ordinary.
- Credits run out (402): [Pricing], Free "$0.10, subject to change" per month (hub-docs
  ``pricing.md`` @ ``242f4a1e``, primary), the status 402 secondary. The budget is that published
  figure, $0.10, at HF's example rate of $0.00012 per compute second: about 41,000 generated
  tokens. A full live run of every notebook spent about $0.0011 of it (2026-11-26: gpt2's text
  generation goes to the local fallback, only a few calls reach the router), so it never runs
  out; ``tests/notebooks/test_live_rehearsal.py`` checks that a run spends under half of it.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

__all__ = ["DEFAULT_PROFILE", "PROFILES", "Profile", "profile_named"]

FREE_MONTHLY_CREDITS_USD = 0.10
"""Free accounts' monthly credits: "$0.10, subject to change" (hub-docs ``pricing.md`` @
``242f4a1e``; REFERENCES.md [Pricing])."""


@dataclass(frozen=True)
class Profile:
    """What one profile decides. Knobs passed explicitly win over these defaults."""

    name: str
    router_serves_gpt2: bool
    """gpt2 on ``/hf-inference/models/openai-community/gpt2`` and in its provider mapping."""
    seed_path_serves_gpt2: bool
    """gpt2 on the seed tutorial's ``/models/gpt2`` whatever ``router_serves_gpt2`` says.

    True where lessons must run offline (the lessons' local fallback and a ``router_like``
    stand-in still answer there); False where the stand-in plays today's router, on which gpt2
    is served nowhere: the seed's path answers like any unserved model, the plain-text 404
    (unless ``router_serves_gpt2`` is turned on explicitly)."""
    credits_usd: float | None
    """The credit budget when ``credits_usd`` is not given (None: unlimited)."""
    user_name: str
    """The user whoami-v2 names when ``user_name`` is not given."""
    full_name: str
    token_display_name: str
    marks_stand_in: bool
    """True: answers may say "stand-in" (ids, names, ``x-standin-*`` headers, wording).
    False: only the ``X-Stand-In`` header says it."""
    hf_inference_llms: bool = True
    """True: the catalogue's hf-inference LLMs (``conversational`` offers, e.g. SmolLM3-3B) are
    served and mapped. False (today): hub-docs list no hf-inference LLM since 2026-07-01
    (``71e38a21`` removed Text Generation and Chat Completion from the hf-inference page; the
    regenerations up to 2026-08-21 list none), so their routes answer the plain-text 404 and
    their mapping lists no hf-inference."""
    stream_delay_ms: float = 0.0
    """The pause before each streamed event when ``stream_delay_ms`` is not given. The teaching
    profile paces streams (25 ms, about 40 tokens a second) so that a person sees the text
    arrive; the today profile sends at once (the router's pace depends on the provider)."""

    def request_id(self) -> str:
        """Return an ``x-request-id`` value: ``standin-…`` when marking, else the router's shape.

        The router's ids look like AWS trace ids, ``Root=1-68fc2a42-…`` (version 1, the time in
        hex seconds, 24 hex digits): response headers quoted in
        https://github.com/0xPlaygrounds/rig/issues/985 (2025-10-25).
        """
        if self.marks_stand_in:
            return "standin-" + uuid.uuid4().hex[:20]
        return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"

    def hub_object_id(self, model_id: str) -> str:
        """Return the ``_id`` of a Hub model: 24 hex digits, as the Hub's (MongoDB) ids are."""
        if self.marks_stand_in:
            return f"standin-{model_id}"
        return uuid.uuid5(uuid.NAMESPACE_URL, model_id).hex[:24]  # stable per model

    def response_id(self, prefix: str) -> str:
        """Return an OpenAI-style answer id, e.g. ``chatcmpl-…`` (``chatcmpl-standin-…`` when
        marking). For the OpenAI surface (openai_compat.py) to adopt."""
        middle = "standin-" if self.marks_stand_in else ""
        return f"{prefix}-{middle}{uuid.uuid4().hex[: 24 if not middle else 12]}"

    @property
    def system_fingerprint(self) -> str | None:
        """Return the ``system_fingerprint`` of OpenAI answers (vLLM sends null)."""
        return "stand-in" if self.marks_stand_in else None

    @property
    def compute_type(self) -> str:
        """Return the ``x-compute-type`` header's value.

        TGI sends the ``COMPUTE_TYPE`` environment variable, default ``gpu+optimized`` (TGI
        ``router/src/server.rs``); hf-inference's values are not documented, and it "focuses
        mostly on CPU inference" (hub-docs ``pricing.md``, REFERENCES.md [Text generation]):
        ``cpu`` is inferred.
        """
        return "stand-in-cpu" if self.marks_stand_in else "cpu"

    @property
    def task_model_description(self) -> str:
        """Return the description ``/api/tasks`` gives each model."""
        return "Served by the local stand-in." if self.marks_stand_in else ""


TEACHING = Profile(
    name="teaching",
    router_serves_gpt2=True,
    seed_path_serves_gpt2=True,
    credits_usd=None,
    user_name="standin-learner",
    full_name="Stand-in Learner",
    token_display_name="tutorial (stand-in)",
    marks_stand_in=True,
    stream_delay_ms=25.0,
)
TODAY = Profile(
    name="today",
    router_serves_gpt2=False,
    seed_path_serves_gpt2=False,
    credits_usd=FREE_MONTHLY_CREDITS_USD,
    user_name="ada-learner",
    full_name="Ada Learner",
    token_display_name="tutorial",
    marks_stand_in=False,
    hf_inference_llms=False,
)
PROFILES: dict[str, Profile] = {p.name: p for p in (TEACHING, TODAY)}
DEFAULT_PROFILE = TEACHING.name


def profile_named(name: str) -> Profile:
    """Return the profile called ``name``; a ValueError names the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown stand-in profile {name!r}; the profiles are {', '.join(PROFILES)}"
        ) from None
