"""``python -m qcsync.emulator``: run the emulator in the foreground and say how to reach it."""

from __future__ import annotations

import argparse
import contextlib
import errno
import sys
from collections.abc import Sequence
from pathlib import Path

from qcsync.emulator.jsonfile import loads, read_text
from qcsync.emulator.server import Emulator


def build_parser(prog: str = "python -m qcsync.emulator") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A local emulator of the QuantConnect REST API v2.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5612, help="port (default 5612; 0: any free)")
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="JSON state file, kept across restarts (writes go to FILE.journal until folded in)",
    )
    parser.add_argument("--seed", metavar="FILE", help="JSON seed replacing the default account")
    parser.add_argument("--user-id", default="123456", help="user id clients must sign with")
    parser.add_argument("--token", help="API token clients must sign with (default: random)")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay before every answer")
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="share of requests that fail (500/429/timeout/lost)",
    )
    parser.add_argument(
        "--random-seed", type=int, default=None, help="makes --fault-rate repeatable"
    )
    parser.add_argument(
        "--fault-seconds",
        type=float,
        default=2.0,
        help="how long a random timeout or slow (still landing) answer takes (default 2)",
    )
    parser.add_argument(
        "--max-age", type=int, default=1800, help="oldest accepted Timestamp, seconds"
    )
    parser.add_argument(
        "--hard-delete",
        action="store_true",
        default=None,
        help="projects/delete removes a project at once, as the service did before 2026 "
        "(default: it moves to the Recycle Bin; also seed/state setting deleteMode)",
    )
    parser.add_argument(
        "--auth-failure-status",
        type=int,
        choices=(401, 200),
        default=401,
        help="HTTP status of authentication failures",
    )
    return parser


def describe(emulator: Emulator) -> str:
    """The start-up banner: where the API is and the credentials to use with it."""
    return "\n".join(
        [
            "QuantConnect API emulator",
            f"  API URL:   {emulator.base_url}",
            f"  user id:   {emulator.user_id}",
            f"  API token: {emulator.token}",
            f"  organization (preferred): {emulator.preferred_organization_id}",
            "  deletes:   "
            + ("removed at once (--hard-delete)" if emulator.hard_delete else "Recycle Bin/"),
            "Try: qcsync --api-url "
            f"{emulator.base_url} plan   (with QC_USER_ID and QC_API_TOKEN set as above)",
        ]
    )


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m qcsync.emulator") -> int:
    """Run until interrupted; ``prog`` names the command in usage text (``qcsync emulator``)."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if not 0.0 <= args.fault_rate <= 1.0:
        parser.error("--fault-rate must be between 0 and 1")
    if args.fault_seconds < 0:
        parser.error("--fault-seconds must not be negative")
    try:
        seed = None
        if args.seed:
            try:
                seed = loads(read_text(Path(args.seed)), args.seed)
            except OSError as error:
                raise ValueError(f"cannot read {args.seed}: {error.strerror}") from None
        emulator = Emulator(
            user_id=args.user_id,
            token=args.token,
            state_path=args.state,
            seed=seed,
            max_age_seconds=args.max_age,
            auth_failure_status=args.auth_failure_status,
            latency_ms=args.latency_ms,
            fault_rate=args.fault_rate,
            random_seed=args.random_seed,
            fault_seconds=args.fault_seconds,
            hard_delete=args.hard_delete,
        )
        emulator.bind(args.host, args.port)
    except OSError as error:
        # Port 5612 is also the QuantConnect CLI's local API port, so "in use" is common.
        where = f"{args.host}:{args.port}"
        reason = error.strerror or str(error)
        hint = " (try --port 0)" if error.errno in (errno.EADDRINUSE, errno.EACCES) else ""
        print(f"Error: cannot start the emulator on {where}: {reason}{hint}", file=sys.stderr)
        return 1
    except (ValueError, KeyError, TypeError) as error:
        print(
            f"Error: bad --seed or --state file: {type(error).__name__}: {error}", file=sys.stderr
        )
        return 1
    print(describe(emulator), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        emulator.serve_forever(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
