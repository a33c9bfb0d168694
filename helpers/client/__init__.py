"""The client side: what a learner may copy, on ``requests``, ``urllib3``, ``tenacity`` and ``tqdm``.

``config`` (settings from the environment, then ``.env``), ``errors`` (flat exception classes),
``session`` (``InferenceSession``, TGI's pre-send check), ``sse`` (reading streamed events),
``ratelimit`` (``RateLimitPolicy``, ``Pacer``), ``batching`` (``run_batch``). Imports no stand-in.
"""
