"""``python -m helpers.local_api --host 127.0.0.1 --port 8000``: serve until Ctrl-C."""

from __future__ import annotations

import argparse

from .options import StandInOptions
from .server import serve_forever


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command line's options."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.local_api",
        description="Serve the local stand-in of the Hugging Face inference API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--router-without-gpt2",
        action="store_true",
        help="answer 404 for gpt2 on /hf-inference/..., as the real router is reported to",
    )
    parser.add_argument(
        "--latency-ms-per-token", type=float, default=0.0, help="sleep per generated token"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the stand-in in the foreground."""
    args = parse_args(argv)
    options = StandInOptions(
        router_serves_gpt2=not args.router_without_gpt2,
        latency_ms_per_token=args.latency_ms_per_token,
    )
    print(
        f"Local stand-in of the Hugging Face API on http://{args.host}:{args.port} (Ctrl-C stops it)"
    )
    print("Point the notebooks at it with: HF_TUTORIAL_MODE=local HF_STANDIN_URL=http://HOST:PORT")
    serve_forever(options, args.host, args.port)


if __name__ == "__main__":
    main()
