"""What a failed request means to a user: the kind of failure, the fix to try, retry notices.

The client classifies each failed attempt here and builds its final message from it: the URL it
tried, how many times and for how long, and a hint (DNS, proxy, the `/api/v2/` path, ...). While
it retries, it reports each wait through a callback with a RetryNotice; the client never prints.
Pure: no I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import assert_never
from urllib.parse import urlsplit

import requests

from qcsync.credentials import DEFAULT_API_URL

API_PATH = "/api/v2/"


class Failure(enum.Enum):
    REFUSED = "connection refused"
    DNS = "the host name could not be resolved"
    PROXY = "the proxy could not be reached"
    CONNECT_TIMEOUT = "connecting timed out"
    READ_TIMEOUT = "timed out waiting for the answer"
    DROPPED = "the connection was closed without an answer"
    BROKEN = "the answer was broken"
    RATE_LIMITED = "rate limited (429)"
    SERVER_ERROR = "server error"


def classify_connection_error(error: requests.ConnectionError) -> Failure:
    """requests says little in its types; urllib3's cause names what went wrong."""
    text = repr(error)
    if isinstance(error, requests.exceptions.ProxyError) or "ProxyError" in text:
        return Failure.PROXY
    if (
        "NameResolutionError" in text
        or "Failed to resolve" in text
        or "Name or service not known" in text
        or "nodename nor servname" in text
        or "getaddrinfo failed" in text
        or "Temporary failure in name resolution" in text
    ):
        return Failure.DNS
    if "refused" in text.lower() or "NewConnectionError" in text:
        return Failure.REFUSED
    return Failure.DROPPED


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def lacks_api_path(base_url: str) -> bool:
    return not urlsplit(base_url).path.rstrip("/").endswith(API_PATH.rstrip("/"))


def url_hint(base_url: str) -> str:
    """For an answer that is not QuantConnect's: the URL is the likely culprit."""
    if lacks_api_path(base_url):
        return (
            f"the API URL {base_url} does not end in {API_PATH}: "
            f"QuantConnect's is {DEFAULT_API_URL} (set --api-url or QC_API_URL)"
        )
    return f"is {base_url} QuantConnect's API? Its URL is {DEFAULT_API_URL}"


def hint(kind: Failure, base_url: str) -> str:
    """What to check for this kind of failure."""
    host = host_of(base_url)
    match kind:
        case Failure.REFUSED:
            return (
                f"nothing accepts connections at {host}: check the URL (--api-url, QC_API_URL; "
                f"QuantConnect's is {DEFAULT_API_URL}), or start the emulator for a local URL"
            )
        case Failure.DNS:
            return f"check the host name in {base_url} and this machine's DNS"
        case Failure.PROXY:
            return "check HTTPS_PROXY / HTTP_PROXY (and NO_PROXY) and that the proxy is running"
        case Failure.CONNECT_TIMEOUT:
            return (
                f"{host} did not answer: check the network, a firewall, or a proxy that is "
                "required here (HTTPS_PROXY)"
            )
        case Failure.READ_TIMEOUT | Failure.DROPPED | Failure.BROKEN | Failure.SERVER_ERROR:
            return "the service may be having trouble: try again in a few minutes"
        case Failure.RATE_LIMITED:
            return "too many requests: try again later, or with a lower --parallelism"
        case _ as unreachable:
            assert_never(unreachable)


@dataclass(frozen=True)
class RetryNotice:
    """A failed or slow attempt that the client is about to try again (or to look into)."""

    url: str
    cause: str
    attempt: int  # 1-based: the attempt that just failed
    attempts: int  # how many the client makes at most
    delay: float  # seconds before the next attempt
    checking: bool = False  # the next step reads whether a lost write took effect

    def line(self) -> str:
        then = (
            "checking whether it took effect"
            if self.checking
            else f"retrying in {self.delay:.1f}s (attempt {self.attempt + 1} of {self.attempts})"
        )
        return f"{self.url}: {self.cause}; {then}"
