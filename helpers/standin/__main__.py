"""``python -m helpers.standin --host 127.0.0.1 --port 8000``: serve until Ctrl-C.

Every knob of ``start()`` is a flag with the same name: ``start(cold_start_s=2)`` is
``--cold-start-s 2``, ``start(router_serves_gpt2=False)`` is ``--no-router-serves-gpt2``,
``start(profile="today")`` is ``--profile today``.
"""

from __future__ import annotations

import argparse
import errno
import socket
from dataclasses import fields

from .options import FAULT_KINDS, RateLimit, StandInOptions
from .profiles import PROFILES
from .server import bind, serve_forever

DEFAULTS = StandInOptions()


def _port(text: str) -> int:
    """Return a TCP port (0 picks a free one), or argparse's clear refusal."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: choose one in 0..65535")
    return port


def _fault_kinds(text: str) -> tuple[str, ...]:
    return tuple(kind.strip() for kind in text.split(",") if kind.strip())


KNOB_FLAGS: dict[str, tuple[dict, str]] = {
    "profile": (
        {"choices": sorted(PROFILES)},
        "teaching (default: gpt2 served, so lessons run offline) or today (the service as the "
        "references say it is now: gpt2 not served, Free's $0.10 of credits, nothing marked "
        "as a stand-in but the X-Stand-In header)",
    ),
    "router_serves_gpt2": (
        {"action": argparse.BooleanOptionalAction, "default": None},
        "serve gpt2 on /hf-inference/... (teaching's default); --no-router-serves-gpt2 "
        "answers 404 there and maps gpt2 to no provider, as the real router does today",
    ),
    "tokens_without_inference": (
        {"nargs": "*", "default": [], "metavar": "TOKEN"},
        "well-formed tokens that lack the Inference Providers permission (403)",
    ),
    "latency_ms_per_token": ({"type": float}, "sleep per generated token"),
    "stream_delay_ms": (
        {"type": float, "default": None, "metavar": "MS"},
        "pause before each streamed token when --latency-ms-per-token is 0 (default: 25 in "
        "teaching, so a person sees the stream arrive; 0 in today)",
    ),
    "rate_limit": (
        {"type": RateLimit.parse, "default": None, "metavar": "N/S"},
        "N requests per S seconds per token; 429 with Retry-After past it",
    ),
    "credits_usd": (
        {"type": float, "default": None},
        "budget; 402 once spent (default: none in teaching, $0.10 in today; inf: none)",
    ),
    "cold_start_s": ({"type": float}, "answer 503 'currently loading' this long at first"),
    "fault_rate": (
        {"type": float, "metavar": "P"},
        "share of inference requests that fail at random (see --fault-kinds)",
    ),
    "fault_kinds": (
        {"type": _fault_kinds, "metavar": "K1,K2"},
        f"the faults drawn, among {','.join(FAULT_KINDS)} (default all)",
    ),
    "seed": ({"type": int, "default": None}, "seed of the fault generator"),
    "stream_error_after_tokens": (
        {"type": int, "default": None, "metavar": "N"},
        "streams send an error event after N tokens",
    ),
    "user_name": ({"default": None}, "the user whoami-v2 names (default: the profile's)"),
}
"""One flag per StandInOptions field: its argparse settings and help (default: the field's)."""


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser: host, port, and one flag per StandInOptions field."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.standin",
        description="Serve the local stand-in of the Hugging Face inference API. "
        "Every knob is off by default.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8000, help="port, 0..65535 (default 8000; 0: a free one)"
    )
    knobs = parser.add_argument_group("knobs (the keywords of helpers.standin.start())")
    for name, (settings, text) in KNOB_FLAGS.items():
        settings = {"default": getattr(DEFAULTS, name), **settings}
        knobs.add_argument("--" + name.replace("_", "-"), help=text, **settings)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command line's options."""
    return build_parser().parse_args(argv)


def options_from(args: argparse.Namespace) -> StandInOptions:
    """Return the StandInOptions the parsed flags describe (one flag per field)."""
    return StandInOptions(**{f.name: getattr(args, f.name) for f in fields(StandInOptions)})


def announce(profile: str, host: str, port: int) -> str:
    """Return what the workshop command prints once bound: the real URL to point clients at."""
    wildcard = host in ("0.0.0.0", "::", "")
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    url = f"http://{shown}:{port}"
    lines = [f"Local stand-in of the Hugging Face API on {url} (Ctrl-C stops it)"]
    if profile == "today":
        lines.append(
            f"Rehearse live mode with: HF_TUTORIAL_MODE=live HF_ROUTER_URL={url} "
            f"HF_HUB_URL={url} (any well-formed token)"
        )
    else:
        lines.append(f"Point the notebooks at it with: HF_TUTORIAL_MODE=local HF_STANDIN_URL={url}")
    if wildcard:
        lines.append(
            f"It listens on every interface: from other machines in the room, use this "
            f"machine's address on the room's network instead of {shown} (port {port})."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the stand-in in the foreground."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        options = options_from(args)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            parser.exit(1, f"port {args.port} is in use: choose another with --port\n")
        if isinstance(exc, socket.gaierror):
            parser.exit(1, f"{args.host!r} is not an address of this machine ({exc.strerror})\n")
        parser.exit(1, f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}\n")
    print(announce(options.profile, args.host, sock.getsockname()[1]), flush=True)
    serve_forever(options, sock)


if __name__ == "__main__":
    main()
