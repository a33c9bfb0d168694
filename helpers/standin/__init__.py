"""A local stand-in of the Hugging Face inference API, for offline lessons and tests: ``start()``
serves it in this process, ``python -m helpers.standin`` in the foreground. Answers carry
``X-Stand-In``. Profiles (``profiles.py``): ``teaching`` (default: gpt2 served, lessons run
offline) and ``today`` (the service as the references say it is now)."""

from .app import SilentListener, StandIn, create_app, start
from .options import StandInOptions

__all__ = ["SilentListener", "StandIn", "StandInOptions", "create_app", "start"]
