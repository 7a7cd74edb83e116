"""The connection a command works through: a client for the real service, or for the embedded
emulator that `--sandbox` starts, with a line on stderr while a request is retried."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from qcsync.cli.output import say
from qcsync.errors import QcsyncError

if TYPE_CHECKING:
    from qcsync.cli.group import GlobalOptions
    from qcsync.client import QCClient
    from qcsync.credentials import Credentials
    from qcsync.network import RetryNotice

# What a command (or a flag's check) runs is imported inside the function that runs it, for
# start-up time (cli/__init__.py).

SANDBOX_STATE = Path(".qcsync") / "sandbox.json"


class _RetryNotices:
    """One line on stderr while a request is retried, so a slow or failing network is never
    silence. Concurrent requests failing alike share a line: the same attempt failing for the
    same cause is told once a second."""

    QUIET_SECONDS = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}

    def __call__(self, notice: RetryNotice) -> None:
        key = f"{notice.attempt} {notice.checking} {notice.cause}"
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(key, -self.QUIET_SECONDS) < self.QUIET_SECONDS:
                return
            self._last[key] = now
        say(notice.line(), err=True)


@contextlib.contextmanager
def connect(options: GlobalOptions, parallelism: int = 1) -> Iterator[QCClient]:
    """A client for the real service, or for the embedded emulator with --sandbox.

    The sandbox goes through the same HTTP client code as the real service, over loopback, with
    a token made up for this run only. The connection pool keeps one connection per worker.
    """
    from qcsync.credentials import Credentials, load_credentials, resolve_api_url

    if not options.sandbox:
        credentials = load_credentials(os.environ)
        url = resolve_api_url(options.api_url, os.environ)
        with _client(url, credentials, parallelism) as client:
            yield client
        return

    from secrets import token_hex  # hmac and all: only the sandbox needs a made-up token

    from qcsync.emulator import Emulator  # lazily: only the CLI may import the emulator
    from qcsync.statelock import locked

    state = Path(os.environ.get("QCSYNC_SANDBOX_STATE") or SANDBOX_STATE)
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise QcsyncError(f"sandbox state {state}: {error.strerror or error}") from None
    # One command at a time: each loads the state and writes it back.
    with locked(state):
        try:
            sandbox = Emulator(state_path=state, token=token_hex(16))
        except (OSError, ValueError, KeyError, TypeError) as error:
            reason = (
                error.strerror if isinstance(error, OSError) else f"{type(error).__name__}: {error}"
            )
            raise QcsyncError(
                f"sandbox state {state}: {reason}; delete it to start the sandbox afresh"
            ) from None
        with sandbox as emulator:
            credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
            with _client(emulator.base_url, credentials, parallelism) as client:
                yield client


def _client(url: str, credentials: Credentials, parallelism: int) -> QCClient:
    from qcsync.client import QCClient

    # `--parallelism` bounds the requests in flight, and the pool keeps a connection for each.
    return QCClient(
        url,
        credentials,
        pool_size=parallelism,
        max_in_flight=parallelism,
        on_retry=_RetryNotices(),
    )
