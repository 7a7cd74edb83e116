"""The transport: the one place requests go through, one signed POST per attempt.

Every request, each retry included, is signed afresh (signing.py), decoded and its failures
mapped (answers.py), retried by the policy (retrying.py), and, for a write that must not be
repeated, checked by the lost-answer rules (lostanswers.py). The endpoint groups (projects.py,
nodes.py, files.py, collaboration.py, organizations.py) only build bodies and parse answers,
through `_call`, `_write`, `_write_once`, `settled` and `_parsed`.

The token is used only to compute the signature; it never enters a log line, a message, a repr
or an exception.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import requests

from qcsync import __version__
from qcsync.client.answers import decode, failure_of, outcome_label, parsed
from qcsync.client.lostanswers import settled as settled_within
from qcsync.client.lostanswers import write_once
from qcsync.client.retrying import Retrier, RetryPolicy
from qcsync.client.signing import signature_headers
from qcsync.credentials import Credentials
from qcsync.errors import CredentialsError
from qcsync.escape import has_url_credentials, redact_urls
from qcsync.network import RetryNotice
from qcsync.session import DEFAULT_POOL_SIZE, new_session

log = logging.getLogger("qcsync.http")

T = TypeVar("T")


class FormBody(Mapping[str, str]):
    """A request body sent form-encoded, in order (lean-cli's `projects/update`, qc-api.md
    §4.3): PHP-style keys such as `parameters[0][key]`; `key=` (empty) clears a list."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = tuple(pairs)
        self._values = dict(self.pairs)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class Transport:
    """Signed requests with retries; the endpoint groups build on it. Safe to share between
    threads."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        session: requests.Session | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        max_in_flight: int | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        create_settle: float = 60.0,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        """`create_settle`: seconds to keep looking for a create (or a delete, which must not
        reach a binned project twice) whose answer was lost or late before it may be sent again
        (a write slower than the read timeout still lands).
        `on_retry`: told of every failed or slow attempt before the client tries again or looks
        whether a lost write happened (the CLI prints a notice; the client never prints).
        `max_in_flight`: at most this many requests at once across threads (the CLI's
        `--parallelism`, also the pool size)."""
        if has_url_credentials(base_url):
            # The URL would be echoed in messages and logs; qcsync signs with the token instead.
            raise CredentialsError(
                f"API URL {redact_urls(base_url)} has credentials in it (user:password@); "
                "remove them: qcsync signs every request with QC_USER_ID and QC_API_TOKEN"
            )
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._credentials = credentials
        self._timeout = timeout
        self._session = session or new_session(self.base_url, pool_size=pool_size)
        self._session.headers["User-Agent"] = f"qcsync/{__version__}"
        self._clock = clock
        self._sleep = sleep
        self._retries = Retrier(
            RetryPolicy(max_retries, backoff, max_backoff, max(0.0, create_settle)),
            self.base_url,
            sleep=sleep,
            on_retry=on_retry,
        )
        self._preferred: str | None = None
        self._in_flight: contextlib.AbstractContextManager[Any] = (
            threading.BoundedSemaphore(max_in_flight) if max_in_flight else contextlib.nullcontext()
        )

    def __repr__(self) -> str:
        return f"QCClient({self.base_url!r}, {self._credentials!s})"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- one attempt --------------------------------------------------------------------------

    def _attempt(self, endpoint: str, body: Mapping[str, Any], attempt: int) -> dict[str, Any]:
        """One signed POST. Returns the decoded success body, raises ApiError for an answer
        that will not change by asking again, Refused / UnknownOutcome for one that might."""
        url = self.base_url + endpoint
        headers = signature_headers(self._credentials, int(self._clock()))
        started = time.monotonic()
        try:
            with self._in_flight:
                started = time.monotonic()
                encoded = (
                    {"data": list(body.pairs)}
                    if isinstance(body, FormBody)
                    else {"json": dict(body)}
                )
                response = self._session.post(
                    url, headers=headers, timeout=self._timeout, **encoded
                )
        except requests.RequestException as error:
            self._log(endpoint, body, attempt, outcome_label(error), started)
            raise failure_of(error, endpoint, self.base_url) from None
        self._log(endpoint, body, attempt, str(response.status_code), started)
        return decode(endpoint, response, token=self._credentials.token, base_url=self.base_url)

    def _log(
        self, endpoint: str, body: Mapping[str, Any], attempt: int, outcome: str, started: float
    ) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "POST %s%s fields=%s -> %s in %.0f ms (attempt %d; Authorization: Basic ***)",
                self.base_url,
                endpoint,
                sorted(body),
                outcome,
                (time.monotonic() - started) * 1000,
                attempt + 1,
            )

    # --- what the endpoint groups call --------------------------------------------------------

    def _call(
        self,
        endpoint: str,
        body: Mapping[str, Any] | None = None,
        *,
        unknown: list[str] | None = None,
    ) -> dict[str, Any]:
        """A read or idempotent write, retried (retrying.py); `unknown` collects the causes of
        attempts of unknown outcome."""
        payload = body or {}
        return self._retries.call(
            endpoint, lambda attempt: self._attempt(endpoint, payload, attempt), unknown=unknown
        )

    def _write(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """An idempotent write, retried; AmbiguousWriteError when its outcome is unknown."""
        return self._retries.write(endpoint, lambda attempt: self._attempt(endpoint, body, attempt))

    def _write_once(
        self, endpoint: str, body: Mapping[str, Any], happened: Callable[[], T | None]
    ) -> tuple[dict[str, Any] | T, bool]:
        """A write that must not be repeated (lostanswers.py): the answer, or what `happened()`
        found, and whether it was sent again after an attempt of unknown outcome."""
        return write_once(
            self._retries,
            endpoint,
            lambda attempt: self._attempt(endpoint, body, attempt),
            happened,
        )

    def settled(self, landed: Callable[[], bool]) -> bool:
        """Whether a write of unknown outcome took effect, asking `landed()` for as long as a
        slow write may take to land (`create_settle`). True as soon as it did; False only when a
        read at the end of that time shows it did not; the ApiError of that read when it failed.
        """
        return settled_within(self._retries, landed)

    def _settle_pauses(self) -> list[float]:
        return self._retries.policy.settle_pauses()

    @staticmethod
    def _parsed(endpoint: str, parse: Callable[[], T]) -> T:
        return parsed(endpoint, parse)
