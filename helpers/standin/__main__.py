"""``python -m helpers.standin --host 127.0.0.1 --port 8000``: serve until Ctrl-C."""

from __future__ import annotations

import argparse

from ..client.ratelimit import RateLimitPolicy
from .options import StandInOptions
from .server import serve_forever


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command line's options."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.standin",
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
    parser.add_argument(
        "--rate-limit",
        type=RateLimitPolicy.parse,
        default=None,
        metavar="N/S",
        help="N requests per S seconds per token; 429 with Retry-After past it",
    )
    parser.add_argument(
        "--credits-usd", type=float, default=None, help="credit budget; 402 once spent"
    )
    parser.add_argument(
        "--cold-start-s", type=float, default=0.0, help="503 'currently loading' this long"
    )
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, metavar="P", help="share of random 5xx/drops"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault generator")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the stand-in in the foreground."""
    args = parse_args(argv)
    options = StandInOptions(
        router_serves_gpt2=not args.router_without_gpt2,
        latency_ms_per_token=args.latency_ms_per_token,
        rate_limit=args.rate_limit,
        credits_usd=args.credits_usd,
        cold_start_s=args.cold_start_s,
        fault_rate=args.fault_rate,
        seed=args.seed,
    )
    print(
        f"Local stand-in of the Hugging Face API on http://{args.host}:{args.port} (Ctrl-C stops it)"
    )
    print("Point the notebooks at it with: HF_TUTORIAL_MODE=local HF_STANDIN_URL=http://HOST:PORT")
    serve_forever(options, args.host, args.port)


if __name__ == "__main__":
    main()
