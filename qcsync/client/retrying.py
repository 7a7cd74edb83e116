"""The retry policy: when an attempt is sent again, how long to wait, what the caller is told.

Reads and idempotent writes are retried with exponential backoff and full jitter on 429
(honouring Retry-After), 5xx, timeouts and dropped connections. A write whose attempt's outcome
is unknown and whose retries run out is not a failure but an AmbiguousWriteError: it may have
happened. Each wait is announced through `on_retry` (the CLI prints a notice; the client never
prints), and the final message says what failed, where, for how long, and what to check.
Writes that must not be repeated take the lost-answer rules instead (lostanswers.py).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qcsync.client.answers import Refused, UnknownOutcome
from qcsync.errors import AmbiguousWriteError, ApiError, TransportError
from qcsync.network import Failure, RetryNotice, hint, lacks_api_path, url_hint

# One attempt at a request, numbered from 0: the decoded answer, or an exception from answers.py.
Send = Callable[[int], dict[str, Any]]


@dataclass(frozen=True)
class RetryPolicy:
    """How many times, and how long apart. `create_settle`: seconds to keep looking for a write
    whose answer was lost or late before it may be sent again (lostanswers.py)."""

    max_retries: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    create_settle: float = 60.0

    @property
    def attempts(self) -> int:
        return self.max_retries + 1

    def ceiling(self, attempt: int, retry_after: float | None) -> float:
        """The longest wait after attempt `attempt`: the service's Retry-After (capped, so a
        hostile answer cannot stall a run), else the exponential back-off."""
        if retry_after is not None:
            return min(retry_after, self.max_backoff * 4)
        return min(self.max_backoff, self.backoff * 2.0**attempt)

    def settle_pauses(self) -> list[float]:
        """Pauses before each look for a write that may still land: growing like the back-off,
        adding up to `create_settle` (one immediate look when it is 0)."""
        pauses: list[float] = []
        settle = max(0.0, self.create_settle)
        total, pause = 0.0, max(self.backoff, 0.001)
        while total < settle:
            step = min(pause, self.max_backoff, settle - total)
            pauses.append(step)
            total += step
            pause *= 2
        return pauses or [0.0]


class Retrier:
    """Runs the policy for one base URL. Safe to share between threads."""

    def __init__(
        self,
        policy: RetryPolicy,
        base_url: str,
        *,
        sleep: Callable[[float], None],
        on_retry: Callable[[RetryNotice], None] | None,
    ) -> None:
        self.policy = policy
        self.base_url = base_url
        self.sleep = sleep
        self._on_retry = on_retry
        self._random = random.Random()
        self._lock = threading.Lock()

    def delay(self, attempt: int, retry_after: float | None) -> float:
        ceiling = self.policy.ceiling(attempt, retry_after)
        if retry_after is not None:
            return ceiling
        with self._lock:
            return self._random.uniform(0, ceiling)  # full jitter

    def call(
        self, endpoint: str, send: Send, *, unknown: list[str] | None = None
    ) -> dict[str, Any]:
        """A read or idempotent write, retried. `unknown` collects attempts of unknown outcome.

        A write (`unknown` given) whose retries run out after an attempt of unknown outcome
        raises AmbiguousWriteError: that attempt may have taken effect, so it is not a failure
        until a read shows that it did not happen.
        """
        last: Refused | UnknownOutcome | None = None
        seen = len(unknown) if unknown is not None else 0
        started = time.monotonic()
        for attempt in range(self.policy.attempts):
            try:
                return send(attempt)
            except Refused as failure:
                last, retry_after = failure, failure.retry_after
            except UnknownOutcome as failure:
                last, retry_after = failure, None
                if unknown is not None:
                    unknown.append(failure.cause)
            self.wait(endpoint, last, attempt, retry_after)
        assert last is not None
        gave_up = self.gave_up(endpoint, last, started)
        if unknown is not None and len(unknown) > seen:
            raise AmbiguousWriteError(
                endpoint,
                message=f"{gave_up}; an attempt's answer was lost, so it may have happened",
            )
        raise TransportError(endpoint, message=gave_up)

    def write(self, endpoint: str, send: Send) -> dict[str, Any]:
        """An idempotent write, retried; AmbiguousWriteError when its outcome is unknown."""
        unknown: list[str] = []
        try:
            return self.call(endpoint, send, unknown=unknown)
        except AmbiguousWriteError:
            raise
        except ApiError as error:
            if not unknown:
                raise
            # A retry refused after an attempt whose answer was lost: that attempt may have
            # taken effect (and be why the retry is refused). Not a failure until a read says.
            # The refusal in its own words, without its endpoint: this error names it.
            refusal = error.errors[0] if error.errors else str(error).removeprefix(f"{endpoint}: ")
            raise AmbiguousWriteError(
                endpoint,
                message=f"{refusal} on a retry after an attempt whose answer was lost, "
                "so it may have happened",
            ) from None

    def wait(
        self,
        endpoint: str,
        failure: Refused | UnknownOutcome,
        attempt: int,
        retry_after: float | None,
    ) -> None:
        """Announce and sleep the wait before the next attempt; none after the last one."""
        if attempt < self.policy.max_retries:
            delay = self.delay(attempt, retry_after)
            self.notify(endpoint, failure.cause, attempt, delay)
            self.sleep(delay)

    def gave_up(self, endpoint: str, last: Refused | UnknownOutcome, started: float) -> str:
        """`gave up after 5 attempts: CAUSE (POST URL, 6.6s); HINT`: what, where, how long, and
        what to check."""
        seconds = time.monotonic() - started
        advice = hint(last.kind, self.base_url)
        if lacks_api_path(self.base_url) and last.kind not in (Failure.DNS, Failure.REFUSED):
            advice = url_hint(self.base_url)  # something answered, but not QuantConnect's API
        return (
            f"gave up after {self.policy.attempts} attempts: {last.cause} "
            f"(POST {self.base_url}{endpoint}, {seconds:.1f}s); {advice}"
        )

    def notify(
        self, endpoint: str, cause: str, attempt: int, delay: float, *, checking: bool = False
    ) -> None:
        if self._on_retry is not None:
            self._on_retry(
                RetryNotice(
                    url=self.base_url + endpoint,
                    cause=cause,
                    attempt=attempt + 1,
                    attempts=self.policy.attempts,
                    delay=delay,
                    checking=checking,
                )
            )
