"""A local stand-in of the Hugging Face inference API, for offline lessons and tests.

``start()`` serves it in this process on a free port; ``python -m helpers.standin`` in the
foreground. Answers carry ``X-Stand-In``. Profiles (``profiles.py``): ``teaching`` (default,
gpt2 served so lessons run offline) and ``today`` (the service as the references say it is now).
"""

from ..contract import LEGACY_PREFIX, STAND_IN_HEADER
from .app import SilentListener, StandIn, create_app, start
from .catalog import GPT2
from .options import StandInOptions

__all__ = [
    "GPT2",
    "LEGACY_PREFIX",
    "STAND_IN_HEADER",
    "SilentListener",
    "StandIn",
    "StandInOptions",
    "create_app",
    "start",
]
