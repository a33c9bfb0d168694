"""``python -m helpers.standin --host 127.0.0.1 --port 8000``: serve until Ctrl-C.

Every field of ``StandInOptions`` is a flag with the same name: ``start(cold_start_s=2)`` is
``--cold-start-s 2``, ``start(router_serves_gpt2=False)`` is ``--no-router-serves-gpt2``.
"""

from __future__ import annotations

import argparse
import errno
import socket
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
        settings = dict(f.metadata)
        if settings.get("type") is bool:
            settings |= {"type": None, "action": argparse.BooleanOptionalAction}
        flag = "--" + f.name.replace("_", "-")
        knobs.add_argument(flag, default=f.default, **{k: v for k, v in settings.items() if v})
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
    lines = [f"Local stand-in of the Hugging Face API on {url} (Ctrl-C stops it)"]
    lines.append(HINTS.get(profile, HINTS["teaching"]).format(url=url))
    if host in ("0.0.0.0", "::", ""):
        lines.append(
            f"It listens on every interface: from other machines in the room, use this machine's "
            f"address on the room's network instead of {shown} (port {port})."
        )
    return "\n".join(lines)


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
        if isinstance(exc, socket.gaierror):
            parser.exit(1, f"{args.host!r} is not an address of this machine ({exc.strerror})\n")
        parser.exit(1, f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}\n")
    print(announce(options.profile, args.host, sock.getsockname()[1]), flush=True)
    serve_forever(options, sock)


if __name__ == "__main__":
    main()
