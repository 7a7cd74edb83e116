"""The lost-answer rules: a write that must not be repeated is never resent blindly.

Writes that are not idempotent (`projects/create`, `files/create`, a library link, a delete
that must not reach a binned project twice) go through `write_once`: after an attempt whose
answer was lost or late, it reads back whether the write happened, and keeps looking for as
long as a slow write may take to land (`RetryPolicy.create_settle`: a write slower than the
read timeout still lands). Only when a read at the end of that time shows it absent is the
write sent again. `settled` is the same look for a caller that made the write itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from qcsync.client.answers import Refused, UnknownOutcome
from qcsync.client.retrying import Retrier, Send
from qcsync.errors import AmbiguousWriteError, ApiError, TransportError

T = TypeVar("T")


def write_once(
    retrier: Retrier, endpoint: str, send: Send, happened: Callable[[], T | None]
) -> tuple[dict[str, Any] | T, bool]:
    """A write that must not be repeated: after an unknown outcome, `happened()` reads back
    whether it took effect (for as long as a slow write may take to land); only when it did
    not is the write sent again. Returns the answer (or what `happened()` found) and whether
    the write was sent again after an attempt of unknown outcome."""
    last: Refused | UnknownOutcome | None = None
    resent = False
    started = time.monotonic()
    for attempt in range(retrier.policy.attempts):
        try:
            return send(attempt), resent
        except Refused as failure:
            last = failure
            retrier.wait(endpoint, failure, attempt, failure.retry_after)
        except UnknownOutcome as failure:
            last = failure
            retrier.notify(endpoint, failure.cause, attempt, 0.0, checking=True)
            done = look_for(retrier, endpoint, failure.cause, happened)
            if done is not None:
                return done, resent
            if attempt < retrier.policy.max_retries:
                resent = True
            # No wait before the next attempt: the look waited long enough.
    assert last is not None
    raise TransportError(endpoint, message=retrier.gave_up(endpoint, last, started))


def look_for(
    retrier: Retrier, endpoint: str, cause: str, happened: Callable[[], T | None]
) -> T | None:
    """Look for the effect of a write of unknown outcome until the settle time is over.

    Returns what `happened()` found, or None once a read at the end of that time proves the
    write absent; raises AmbiguousWriteError when that last read failed.
    """
    failure: Exception | None = None
    for pause in retrier.policy.settle_pauses():
        retrier.sleep(pause)
        try:
            done = happened()
        except (ApiError, ValueError) as error:
            failure = error
            continue
        failure = None
        if done is not None:
            return done
    if failure is not None:
        raise AmbiguousWriteError(
            endpoint,
            message=f"{cause}, and checking whether it took effect failed ({failure}); "
            "it may or may not have happened: run `qcsync plan` to see",
        )
    return None


def settled(retrier: Retrier, landed: Callable[[], bool]) -> bool:
    """Whether a write of unknown outcome took effect, asking `landed()` for as long as a slow
    write may take to land. True as soon as it did; False only when a read at the end of that
    time shows it did not; the ApiError of that read when it failed."""
    failure: ApiError | None = None
    for pause in retrier.policy.settle_pauses():
        retrier.sleep(pause)
        try:
            if landed():
                return True
        except ApiError as error:
            failure = error
            continue
        failure = None
    if failure is not None:
        raise failure
    return False
