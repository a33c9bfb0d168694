"""The client side: what a learner may copy or read as a model of calling the API.

Only ``requests``, ``urllib3``, ``tenacity`` and ``python-dotenv`` underneath; nothing here
imports the stand-in or the lesson conveniences.

- ``config``: the token, the mode and the URLs, read from the environment then ``.env``;
- ``errors``: one exception per way a call fails, each with a fix;
- ``session``: ``InferenceSession``, one ``requests.Session`` with timeouts and retries;
- ``payload``: the text-generation payload and TGI's rules, checked before sending;
- ``sse``: server-sent events in TGI's and OpenAI's formats;
- ``ratelimit``: reading rate-limit headers and pacing requests;
- ``batching``: many prompts, paced, concurrent, retried, resumable;
- ``tokens``: reading a ``whoami-v2`` answer.
"""
