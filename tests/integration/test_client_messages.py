"""How the client words what went wrong (answers.py, retrying.py, signing.py): each status and
endpoint named once, and never a token the service echoed back. Stubbed answers, as in
test_client_wire.py, so each test states the exact bytes the service sends."""

from __future__ import annotations

import pytest
import requests

from qcsync.client.answers import status_text
from qcsync.errors import AmbiguousWriteError, ApiError
from qcsync.network import RetryNotice

from .test_client_wire import BASE, TOKEN, Answer, stub_client


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (500, "", "HTTP 500"),
        (500, "HTTP 500", "HTTP 500"),
        (500, "http 500: disk full", "HTTP 500: disk full"),
        (503, "HTTP/1.1 503 Service Unavailable", "HTTP 503: Service Unavailable"),
        (504, "Gateway Timeout", "HTTP 504: Gateway Timeout"),
        (500, "HTTP 502", "HTTP 500: HTTP 502"),  # another status is the service's own words
        (500, "500 projects at most", "HTTP 500: 500 projects at most"),
    ],
)
def test_an_error_names_its_status_once(status: int, message: str, expected: str) -> None:
    assert status_text(status, message) == expected


@pytest.mark.parametrize(
    "answer",
    [
        (200, {"success": False, "errors": [f"Hash doesn't match. token {TOKEN}"]}, {}),
        (401, {"success": False, "errors": [f"bad token {TOKEN}"]}, {}),
        (404, {"success": False, "errors": [f"no such token {TOKEN}"]}, {}),
        (500, {"success": False, "errors": [f"HTTP 500 {TOKEN}"]}, {}),
        (200, {"success": False, "errors": [f"refused {TOKEN}"]}, {}),
        (200, {"success": True, "projects": [{"projectId": TOKEN}]}, {}),
    ],
    ids=["hash", "401", "404", "500", "refusal", "malformed"],
)
def test_an_answer_that_echoes_the_token_never_shows_it(answer: Answer) -> None:
    # Each failure is worded by a different module (signing, answers, retrying): none of them
    # may pass on what the service echoed.
    notices: list[RetryNotice] = []
    client, _, _ = stub_client({"projects/read": [answer]}, max_retries=1, on_retry=notices.append)
    with pytest.raises(ApiError) as error:
        client.read_project(1)
    texts = [str(error.value), repr(error.value), *error.value.errors, repr(client)]
    texts += [str(n) for n in notices] + [repr(n) for n in notices]
    for text in texts:
        assert TOKEN not in text


def test_a_refused_retry_after_a_lost_answer_names_its_endpoint_once() -> None:
    lost = requests.exceptions.ReadTimeout("read timed out")
    client, _, _ = stub_client({"files/update": [lost, (404, b"", {})]})
    with pytest.raises(AmbiguousWriteError) as error:
        client.update_file(1, "a.py", "A = 1\n")
    message = str(error.value)
    assert message.startswith(f"files/update: HTTP 404 from {BASE}files/update; ")
    assert message.count("files/update: ") == 1
    assert message.endswith(
        "on a retry after an attempt whose answer was lost, so it may have happened"
    )
