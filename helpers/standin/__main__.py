"""``python -m helpers.standin --host 127.0.0.1 --port 8000``: serve until Ctrl-C; every field of
``StandInOptions`` is a flag (``cold_start_s=2``: ``--cold-start-s 2``)."""

from __future__ import annotations

import argparse
import errno
from dataclasses import fields

from .app import bind, serve_forever
from .options import StandInOptions

HINTS = {
    "teaching": "Point the notebooks at it with: HF_TUTORIAL_MODE=local HF_STANDIN_URL={url}",
    "today": "Rehearse live mode with: HF_TUTORIAL_MODE=live HF_ROUTER_URL={url} HF_HUB_URL={url}",
}


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: choose one in 0..65535")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser: host, port, and one flag per StandInOptions field."""
    parser = argparse.ArgumentParser(
        "python -m helpers.standin", description="Serve the local stand-in of the Hugging Face API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="0..65535 (0: a free one)")
    knobs = parser.add_argument_group("knobs (start()'s keywords; unset: the profile's value)")
    for f in fields(StandInOptions):
        knobs.add_argument("--" + f.name.replace("_", "-"), default=f.default, **f.metadata)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command line's options."""
    return build_parser().parse_args(argv)


def options_from(args: argparse.Namespace) -> StandInOptions:
    """Return the StandInOptions the parsed flags describe (one flag per field)."""
    return StandInOptions(**{f.name: getattr(args, f.name) for f in fields(StandInOptions)})


def announce(profile: str, host: str, port: int) -> str:
    """Return what the workshop command prints once bound: the real URL to point clients at."""
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    url = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    hint = HINTS[profile].format(url=url)
    return f"Local stand-in of the Hugging Face API on {url} (Ctrl-C stops it)\n{hint}"


def main(argv: list[str] | None = None) -> None:
    """Run the stand-in in the foreground."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        options = options_from(args)
        sock = bind(args.host, args.port)
    except ValueError as exc:
        parser.error(str(exc))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            parser.exit(1, f"port {args.port} is in use: choose another with --port\n")
        parser.exit(1, f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}\n")
    print(announce(options.profile, args.host, sock.getsockname()[1]), flush=True)
    serve_forever(options, sock)


if __name__ == "__main__":
    main()
