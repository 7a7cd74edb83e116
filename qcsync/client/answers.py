"""An attempt's outcome: the answer decoded, or the failure mapped to what may be done next.

`success: false` is the primary error signal whatever the HTTP status (qc-api.md §3). Each
failure becomes one of three things: an ApiError (asking again will not change it), `Refused`
(the service did not act on the request: safe to send again) or `UnknownOutcome` (the request
may have been acted on: only the retry and lost-answer rules decide what happens next).

Nothing an answer says carries the token past the client (DESIGN.md §2), and no message repeats
requests' own texts, which quote the URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests

from qcsync.client.signing import authentication_error, refused_signature
from qcsync.errors import ApiError, TransportError
from qcsync.escape import redact_urls, without_secret
from qcsync.network import Failure, classify_connection_error, url_hint

T = TypeVar("T")


class UnknownOutcome(Exception):
    """An attempt whose outcome is unknown: the request may have been acted on."""

    def __init__(self, kind: Failure, cause: str | None = None) -> None:
        self.kind = kind
        self.cause = cause or kind.value
        super().__init__(self.cause)


class Refused(Exception):
    """An attempt the service did not act on (connect failure, 429): safe to send again."""

    def __init__(
        self, kind: Failure, cause: str | None = None, retry_after: float | None = None
    ) -> None:
        self.kind = kind
        self.cause = cause or kind.value
        self.retry_after = retry_after
        super().__init__(self.cause)


def decode(
    endpoint: str, response: requests.Response, *, token: str, base_url: str
) -> dict[str, Any]:
    """The success body of an answer; raises ApiError (or AuthenticationError) for an answer
    that will not change by asking again, Refused / UnknownOutcome for one that might."""
    status = response.status_code
    try:
        decoded = without_secret(response.json(), token)
    except ValueError:
        decoded = None
    data: dict[str, Any] = decoded if isinstance(decoded, dict) else {}
    errors = errors_of(data)
    first = errors[0] if errors else ""
    if refused_signature(status, first):
        raise authentication_error(endpoint, status, first)
    if status == 429:
        raise Refused(Failure.RATE_LIMITED, retry_after=_retry_after(response))
    if status >= 500:
        raise UnknownOutcome(Failure.SERVER_ERROR, status_text(status, first))
    if status >= 400:
        # Every endpoint qcsync calls exists, so a 404 (or an answer without QuantConnect's
        # JSON) is most often a wrong URL, such as one without /api/v2/.
        wrong_url = status in (404, 405) or not data
        where = f" from {base_url}{endpoint}" if wrong_url else ""
        advice = f"; {url_hint(base_url)}" if wrong_url else ""
        raise ApiError(
            endpoint, errors, status=status, message=status_text(status, first, where) + advice
        )
    if not data:
        raise ApiError(
            endpoint,
            status=status,
            message=f"the answer is not a JSON object; {url_hint(base_url)}",
        )
    if data.get("success") is not True:
        raise ApiError(endpoint, errors or ["the service answered success: false"], status=status)
    return data


def status_text(status: int, message: str, where: str = "") -> str:
    """`HTTP 500: MESSAGE`, naming the status once: a message that itself begins with it
    (`HTTP 500`, as the emulator's and some proxies' do) is not prefixed with it again."""
    found = _STATUS_PREFIX.match(message)
    if found is not None and found.group(1) == str(status):
        message = message[found.end() :]
    return f"HTTP {status}{where}" + (f": {message}" if message else "")


_STATUS_PREFIX = re.compile(r"\s*HTTP[\s/.\d]*?\s(\d{3})\b[\s:.\-]*", re.IGNORECASE)


def errors_of(body: Mapping[str, Any]) -> list[str]:
    """The service's messages, in any of the shapes clients have seen (qc-api.md §3)."""
    for key in ("errors", "messages"):
        value = body.get(key)
        if isinstance(value, list) and value:
            return [str(v) for v in value]
        if isinstance(value, str) and value:
            return [value]
    message = body.get("Message") or body.get("message")
    return [str(message)] if message else []


def failure_of(error: requests.RequestException, endpoint: str, base_url: str) -> Exception:
    """What a request that got no answer means: Refused when it cannot have reached the
    service, UnknownOutcome when it may have, TransportError when asking again cannot help."""
    if isinstance(error, requests.exceptions.SSLError):
        # A certificate or proxy problem does not go away by asking again, and the TLS
        # handshake fails before any request is sent, so no write can have happened.
        reason = str(error.args[0]) if error.args else type(error).__name__
        return TransportError(
            endpoint, message=f"TLS error talking to {base_url}: {_tls_reason(reason)}"
        )
    if isinstance(error, requests.ConnectTimeout):
        return Refused(Failure.CONNECT_TIMEOUT)
    if isinstance(error, requests.Timeout):
        return UnknownOutcome(Failure.READ_TIMEOUT)
    if isinstance(error, requests.ConnectionError):
        # A refused connection (or an unresolved name, or a proxy that is not there) never
        # reached the service; a dropped one may have.
        kind = classify_connection_error(error)
        return UnknownOutcome(kind) if kind is Failure.DROPPED else Refused(kind)
    # A body cut off mid-way (ChunkedEncodingError) and the like: the request was sent, so its
    # outcome is unknown. Only the class name: requests' texts repeat the URL.
    return UnknownOutcome(Failure.BROKEN, f"the answer was broken ({type(error).__name__})")


def outcome_label(error: requests.RequestException) -> str:
    """How the debug log names a request that got no answer."""
    if isinstance(error, requests.exceptions.SSLError):
        return "TLS error"
    if isinstance(error, requests.ConnectTimeout):
        return "connect timeout"
    if isinstance(error, requests.Timeout):
        return "read timeout"
    if isinstance(error, requests.ConnectionError):
        return "connection error"
    return type(error).__name__


def parsed(endpoint: str, parse: Callable[[], T]) -> T:
    """`parse()`'s value; an answer of an unexpected shape is an ApiError naming the endpoint."""
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
