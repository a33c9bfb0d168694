"""The client side: what a learner may copy or read as a model of calling the API.

Only ``requests``, ``urllib3``, ``tenacity``, ``tqdm`` and ``python-dotenv`` underneath;
nothing here imports the stand-in or the lesson conveniences.

- ``config``: the token, the mode and the URLs, read from the environment then ``.env``;
- ``errors``: eleven exception classes, flat, each with a hint;
- ``session``: ``InferenceSession``, one ``requests.Session`` with timeouts and retries;
- ``payload``: the text-generation payload, checked with TGI's rules from ``helpers.contract``;
- ``sse``: server-sent events in TGI's and OpenAI's formats;
- ``ratelimit``: rate-limit headers and a ``Pacer``;
- ``batching``: ``run_batch``: many prompts, paced, concurrent, retried, resumable;
"""
