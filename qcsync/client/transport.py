"""The transport: one signed POST per attempt, retries, decoding, and the lost-answer rules.

Every request, each retry included, is signed afresh (qc-api.md §2). `success: false` is the
primary error signal whatever the HTTP status (§3). Reads and idempotent writes are retried with
exponential backoff and full jitter on 429 (honouring Retry-After), 5xx, timeouts and dropped
connections. Writes that are not idempotent (`projects/create`, `files/create`) are never resent
blindly: after an answer is lost, `_write_once` reads back whether the write happened first, and
`settled` keeps looking for as long as a slow write may take to land. This is the one place
those rules live; the endpoint groups (projects.py, nodes.py, files.py, collaboration.py,
organizations.py) only build bodies and parse answers.

The token is used only to compute the signature; it never enters a log line, a message or an
exception.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import requests

from qcsync import __version__
from qcsync.credentials import Credentials
from qcsync.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthenticationError,
    CredentialsError,
    TransportError,
)
from qcsync.escape import has_url_credentials, redact_urls, without_secret
from qcsync.network import (
    Failure,
    RetryNotice,
    classify_connection_error,
    hint,
    lacks_api_path,
    url_hint,
)
from qcsync.session import DEFAULT_POOL_SIZE, new_session

log = logging.getLogger("qcsync.http")

T = TypeVar("T")

CLOCK_HINT = (
    "check QC_USER_ID and QC_API_TOKEN, and that this machine's clock is correct "
    "(every request is signed with the current time)"
)


class _Unknown(Exception):
    """An attempt whose outcome is unknown: the request may have been acted on."""

    def __init__(self, kind: Failure, cause: str | None = None) -> None:
        self.kind = kind
        self.cause = cause or kind.value
        super().__init__(self.cause)


class _Refused(Exception):
    """An attempt the service did not act on (connect failure, 429): safe to send again."""

    def __init__(
        self, kind: Failure, cause: str | None = None, retry_after: float | None = None
    ) -> None:
        self.kind = kind
        self.cause = cause or kind.value
        self.retry_after = retry_after
        super().__init__(self.cause)


def signature_headers(credentials: Credentials, timestamp: int) -> dict[str, str]:
    """Basic `USER_ID:sha256(TOKEN:TIMESTAMP)` plus the Timestamp header (qc-api.md §2)."""
    digest = hashlib.sha256(f"{credentials.token}:{timestamp}".encode()).hexdigest()
    basic = base64.b64encode(f"{credentials.user_id}:{digest}".encode()).decode()
    return {"Authorization": f"Basic {basic}", "Timestamp": str(timestamp)}


def _errors_of(body: Mapping[str, Any]) -> list[str]:
    """The service's messages, in any of the shapes clients have seen (qc-api.md §3)."""
    for key in ("errors", "messages"):
        value = body.get(key)
        if isinstance(value, list) and value:
            return [str(v) for v in value]
        if isinstance(value, str) and value:
            return [value]
    message = body.get("Message") or body.get("message")
    return [str(message)] if message else []


def _trim_auth_error(message: str) -> str:
    # "Hash doesn't match. UID: 1 Hash: <hex> Timestamp: 1": the hash is noise to a user.
    return message.split(" UID:", 1)[0].rstrip(". ") if message.startswith("Hash") else message


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
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._session = session or new_session(self.base_url, pool_size=pool_size)
        self._session.headers["User-Agent"] = f"qcsync/{__version__}"
        self._clock = clock
        self._sleep = sleep
        self._random = random.Random()
        self._lock = threading.Lock()
        self._preferred: str | None = None
        self._create_settle = max(0.0, create_settle)
        self._on_retry = on_retry
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

    # --- transport ----------------------------------------------------------------------------

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self._max_backoff * 4)
        ceiling = min(self._max_backoff, self._backoff * 2**attempt)
        with self._lock:
            return self._random.uniform(0, ceiling)  # full jitter

    def _attempt(self, endpoint: str, body: Mapping[str, Any], attempt: int) -> dict[str, Any]:
        """One signed POST. Returns the decoded success body, raises ApiError for an answer
        that will not change by asking again, _Refused / _Unknown for one that might."""
        url = self.base_url + endpoint
        headers = signature_headers(self._credentials, int(self._clock()))
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
        except requests.exceptions.SSLError as error:
            # A certificate or proxy problem does not go away by asking again, and the TLS
            # handshake fails before any request is sent, so no write can have happened.
            self._log(endpoint, body, attempt, "TLS error", started)
            reason = str(error.args[0]) if error.args else type(error).__name__
            raise TransportError(
                endpoint, message=f"TLS error talking to {self.base_url}: {_tls_reason(reason)}"
            ) from None
        except requests.ConnectTimeout:
            self._log(endpoint, body, attempt, "connect timeout", started)
            raise _Refused(Failure.CONNECT_TIMEOUT) from None
        except requests.Timeout:
            self._log(endpoint, body, attempt, "read timeout", started)
            raise _Unknown(Failure.READ_TIMEOUT) from None
        except requests.ConnectionError as error:
            self._log(endpoint, body, attempt, "connection error", started)
            # A refused connection (or an unresolved name, or a proxy that is not there) never
            # reached the service; a dropped one may have.
            kind = classify_connection_error(error)
            if kind is Failure.DROPPED:
                raise _Unknown(kind) from None
            raise _Refused(kind) from None
        except requests.RequestException as error:
            # A body cut off mid-way (ChunkedEncodingError) and the like: the request was sent,
            # so its outcome is unknown. Only the class name: requests' texts repeat the URL.
            self._log(endpoint, body, attempt, type(error).__name__, started)
            raise _Unknown(
                Failure.BROKEN, f"the answer was broken ({type(error).__name__})"
            ) from None
        self._log(endpoint, body, attempt, str(response.status_code), started)
        return self._decode(endpoint, response)

    def _decode(self, endpoint: str, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        try:
            # Nothing an answer says carries the token past the client (DESIGN.md §2).
            decoded = without_secret(response.json(), self._credentials.token)
        except ValueError:
            decoded = None
        data: dict[str, Any] = decoded if isinstance(decoded, dict) else {}
        errors = _errors_of(data)
        first = errors[0] if errors else ""
        if status == 401 or first.startswith("Hash doesn't match"):
            detail = _trim_auth_error(first) if first else "unauthorized"
            raise AuthenticationError(
                endpoint,
                [detail],
                status=status,
                message=f"authentication failed ({detail}): {CLOCK_HINT}",
            )
        if status == 429:
            raise _Refused(Failure.RATE_LIMITED, retry_after=_retry_after(response))
        if status >= 500:
            raise _Unknown(Failure.SERVER_ERROR, f"HTTP {status}" + (f": {first}" if first else ""))
        if status >= 400:
            # Every endpoint qcsync calls exists, so a 404 (or an answer without QuantConnect's
            # JSON) is most often a wrong URL, such as one without /api/v2/.
            wrong_url = status in (404, 405) or not data
            where = f" from {self.base_url}{endpoint}" if wrong_url else ""
            advice = f"; {url_hint(self.base_url)}" if wrong_url else ""
            raise ApiError(
                endpoint,
                errors,
                status=status,
                message=f"HTTP {status}{where}" + (f": {first}" if first else "") + advice,
            )
        if not data:
            raise ApiError(
                endpoint,
                status=status,
                message=f"the answer is not a JSON object; {url_hint(self.base_url)}",
            )
        if data.get("success") is not True:
            raise ApiError(
                endpoint, errors or ["the service answered success: false"], status=status
            )
        return data

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

    def _call(
        self,
        endpoint: str,
        body: Mapping[str, Any] | None = None,
        *,
        unknown: list[str] | None = None,
    ) -> dict[str, Any]:
        """A read or idempotent write, retried. `unknown` collects attempts of unknown outcome.

        A write (`unknown` given) whose retries run out after an attempt of unknown outcome
        raises AmbiguousWriteError: that attempt may have taken effect, so it is not a failure
        until a read shows that it did not happen.
        """
        payload = body or {}
        last: _Refused | _Unknown | None = None
        seen = len(unknown) if unknown is not None else 0
        started = time.monotonic()
        for attempt in range(self._max_retries + 1):
            try:
                return self._attempt(endpoint, payload, attempt)
            except _Refused as failure:
                last, retry_after = failure, failure.retry_after
            except _Unknown as failure:
                last, retry_after = failure, None
                if unknown is not None:
                    unknown.append(failure.cause)
            if attempt < self._max_retries:
                delay = self._delay(attempt, retry_after)
                self._notify(endpoint, last.cause, attempt, delay)
                self._sleep(delay)
        assert last is not None
        gave_up = self._gave_up(endpoint, last, started)
        if unknown is not None and len(unknown) > seen:
            raise AmbiguousWriteError(
                endpoint,
                message=f"{gave_up}; an attempt's answer was lost, so it may have happened",
            )
        raise TransportError(endpoint, message=gave_up)

    def _gave_up(self, endpoint: str, last: _Refused | _Unknown, started: float) -> str:
        """`gave up after 5 attempts: CAUSE (POST URL, 6.6s); HINT`: what, where, how long, and
        what to check."""
        seconds = time.monotonic() - started
        advice = hint(last.kind, self.base_url)
        if lacks_api_path(self.base_url) and last.kind not in (Failure.DNS, Failure.REFUSED):
            advice = url_hint(self.base_url)  # something answered, but not QuantConnect's API
        return (
            f"gave up after {self._max_retries + 1} attempts: {last.cause} "
            f"(POST {self.base_url}{endpoint}, {seconds:.1f}s); {advice}"
        )

    def _notify(
        self, endpoint: str, cause: str, attempt: int, delay: float, *, checking: bool = False
    ) -> None:
        if self._on_retry is not None:
            self._on_retry(
                RetryNotice(
                    url=self.base_url + endpoint,
                    cause=cause,
                    attempt=attempt + 1,
                    attempts=self._max_retries + 1,
                    delay=delay,
                    checking=checking,
                )
            )

    def _write(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """An idempotent write, retried; AmbiguousWriteError when its outcome is unknown."""
        unknown: list[str] = []
        try:
            return self._call(endpoint, body, unknown=unknown)
        except AmbiguousWriteError:
            raise
        except ApiError as error:
            if not unknown:
                raise
            # A retry refused after an attempt whose answer was lost: that attempt may have
            # taken effect (and be why the retry is refused). Not a failure until a read says.
            raise AmbiguousWriteError(
                endpoint,
                message=f"{error.errors[0] if error.errors else error} on a retry after an "
                "attempt whose answer was lost, so it may have happened",
            ) from None

    def _settle_pauses(self) -> list[float]:
        """Pauses before each look for a write that may still land: growing like the back-off,
        adding up to `create_settle` (one immediate look when it is 0)."""
        pauses: list[float] = []
        total, pause = 0.0, max(self._backoff, 0.001)
        while total < self._create_settle:
            step = min(pause, self._max_backoff, self._create_settle - total)
            pauses.append(step)
            total += step
            pause *= 2
        return pauses or [0.0]

    def _look_for(self, endpoint: str, cause: str, happened: Callable[[], T | None]) -> T | None:
        """Look for the effect of a write of unknown outcome until the settle time is over.

        Returns what `happened()` found, or None once a read at the end of that time proves the
        write absent; raises AmbiguousWriteError when that last read failed.
        """
        failure: Exception | None = None
        for pause in self._settle_pauses():
            self._sleep(pause)
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

    def settled(self, landed: Callable[[], bool]) -> bool:
        """Whether a write of unknown outcome took effect, asking `landed()` for as long as a
        slow write may take to land (`create_settle`). True as soon as it did; False only when a
        read at the end of that time shows it did not; the ApiError of that read when it failed.
        """
        failure: ApiError | None = None
        for pause in self._settle_pauses():
            self._sleep(pause)
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

    def _write_once(
        self, endpoint: str, body: Mapping[str, Any], happened: Callable[[], T | None]
    ) -> tuple[dict[str, Any] | T, bool]:
        """A write that must not be repeated: after an unknown outcome, `happened()` reads back
        whether it took effect (for as long as a slow write may take to land); only when it did
        not is the write sent again. Returns the answer (or what `happened()` found) and whether
        the write was sent again after an attempt of unknown outcome."""
        last: _Refused | _Unknown | None = None
        resent = False
        started = time.monotonic()
        for attempt in range(self._max_retries + 1):
            retry_after = None
            try:
                return self._attempt(endpoint, body, attempt), resent
            except _Refused as failure:
                last, retry_after = failure, failure.retry_after
            except _Unknown as failure:
                last = failure
                self._notify(endpoint, failure.cause, attempt, 0.0, checking=True)
                done = self._look_for(endpoint, failure.cause, happened)
                if done is not None:
                    return done, resent
                if attempt < self._max_retries:
                    resent = True
                continue  # the look waited long enough
            if attempt < self._max_retries:
                delay = self._delay(attempt, retry_after)
                self._notify(endpoint, last.cause, attempt, delay)
                self._sleep(delay)
        assert last is not None
        raise TransportError(endpoint, message=self._gave_up(endpoint, last, started))

    @staticmethod
    def _parsed(endpoint: str, parse: Callable[[], T]) -> T:
        try:
            return parse()
        except (LookupError, TypeError, ValueError, AttributeError) as error:
            raise ApiError(
                endpoint, message=f"unexpected answer ({type(error).__name__}: {error})"
            ) from None


def _tls_reason(text: str) -> str:
    """The SSL library's own reason (e.g. `WRONG_VERSION_NUMBER`), not requests' long wrapper."""
    for marker in ("SSLError(", "[SSL"):
        if marker in text:
            return redact_urls(text[text.index(marker) :].split(")")[0].strip("( ") + ")")
    return redact_urls(text[:200])


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
