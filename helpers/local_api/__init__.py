"""A local stand-in of the Hugging Face inference API, for offline lessons and tests.

``start()`` serves it in this process on a free port; ``python -m helpers.local_api`` serves
it in the foreground for a workshop. Its answers carry the header ``X-Stand-In``.
"""

from .app import create_app
from .catalog import GPT2
from .options import StandInOptions
from .responses import STAND_IN_HEADER
from .routes_legacy import LEGACY_PREFIX
from .server import SilentListener, StandIn, start

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
