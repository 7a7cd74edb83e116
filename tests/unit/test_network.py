"""Network failures explained: the kind of failure, the hint, the retry notice (issue 16)."""

from __future__ import annotations

import pytest
import requests

from qcsync.network import (
    Failure,
    RetryNotice,
    classify_connection_error,
    hint,
    lacks_api_path,
    url_hint,
)

# What requests raises, as its texts read (urllib3 2): the cause is only in the text.
REFUSED = requests.ConnectionError(
    "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /x (Caused by "
    "NewConnectionError(\"HTTPConnection(host='127.0.0.1', port=9): Failed to establish a new "
    'connection: [Errno 111] Connection refused"))'
)
DNS = requests.ConnectionError(
    "HTTPSConnectionPool(host='nope.invalid', port=443): Max retries exceeded with url: /x "
    "(Caused by NameResolutionError(\"HTTPSConnection(host='nope.invalid', port=443): Failed to "
    "resolve 'nope.invalid' ([Errno -2] Name or service not known)\"))"
)
PROXY = requests.exceptions.ProxyError(
    "HTTPSConnectionPool(host='example.com', port=443): Max retries exceeded with url: /x "
    "(Caused by ProxyError('Unable to connect to proxy', NewConnectionError('... refused')))"
)
DROPPED = requests.ConnectionError(
    "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"
)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        pytest.param(REFUSED, Failure.REFUSED, id="refused"),
        pytest.param(DNS, Failure.DNS, id="dns"),
        pytest.param(PROXY, Failure.PROXY, id="proxy, although its cause says refused"),
        pytest.param(DROPPED, Failure.DROPPED, id="dropped"),
    ],
)
def test_connection_errors_are_told_apart(error: requests.ConnectionError, kind: Failure) -> None:
    assert classify_connection_error(error) is kind


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        pytest.param(Failure.REFUSED, ("127.0.0.1:9", "--api-url", "QC_API_URL"), id="refused"),
        pytest.param(Failure.DNS, ("host name", "DNS"), id="dns"),
        pytest.param(Failure.PROXY, ("HTTPS_PROXY", "NO_PROXY"), id="proxy"),
        pytest.param(Failure.CONNECT_TIMEOUT, ("firewall", "HTTPS_PROXY"), id="connect timeout"),
        pytest.param(Failure.RATE_LIMITED, ("--parallelism",), id="429"),
        pytest.param(Failure.SERVER_ERROR, ("try again",), id="5xx"),
    ],
)
def test_every_kind_of_failure_has_a_hint(kind: Failure, words: tuple[str, ...]) -> None:
    text = hint(kind, "http://127.0.0.1:9/api/v2/")
    for word in words:
        assert word in text


@pytest.mark.parametrize(
    ("url", "lacks"),
    [
        ("https://www.quantconnect.com/api/v2/", False),
        ("https://www.quantconnect.com/api/v2", False),
        ("https://www.quantconnect.com/", True),
        ("http://127.0.0.1:5612", True),
        ("http://127.0.0.1:5612/api/v2/x/", True),
    ],
)
def test_a_url_without_the_api_path_is_spotted(url: str, lacks: bool) -> None:
    assert lacks_api_path(url) is lacks
    assert ("does not end in /api/v2/" in url_hint(url)) is lacks


def test_a_retry_notice_is_one_line_naming_the_url_and_the_next_step() -> None:
    notice = RetryNotice("https://h/api/v2/projects/read", "HTTP 503", 1, 5, 0.42)
    assert notice.line() == (
        "https://h/api/v2/projects/read: HTTP 503; retrying in 0.4s (attempt 2 of 5)"
    )
    checking = RetryNotice("https://h/api/v2/projects/create", "timed out", 1, 5, 0, True)
    assert checking.line().endswith("timed out; checking whether it took effect")
