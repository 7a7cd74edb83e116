"""The client tells its caller about retries through a callback and never prints (issue 16)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.emulator import Fault
from qcsync.errors import ApiError, TransportError
from qcsync.network import RetryNotice


def client(emulator: Any, notices: list[RetryNotice], **kwargs: Any) -> QCClient:
    return QCClient(
        emulator.base_url,
        Credentials(emulator.user_id, emulator.token),
        sleep=lambda _: None,
        on_retry=notices.append,
        **kwargs,
    )


def test_each_retry_is_a_notice_and_nothing_is_printed(
    emulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    notices: list[RetryNotice] = []
    emulator.inject("projects/read", Fault.http_status(503), times=2)
    with client(emulator, notices) as api:
        assert api.list_projects()
    assert [(n.url, n.attempt, n.attempts) for n in notices] == [
        (f"{emulator.base_url}projects/read", 1, 5),
        (f"{emulator.base_url}projects/read", 2, 5),
    ]
    assert all(n.cause.startswith("HTTP 503") for n in notices)
    assert capsys.readouterr() == ("", "")


def test_giving_up_names_the_url_the_attempts_and_a_hint(emulator: Any) -> None:
    notices: list[RetryNotice] = []
    emulator.inject("projects/read", Fault.rate_limited(0), times=3)
    with (
        client(emulator, notices, max_retries=2) as api,
        pytest.raises(TransportError) as caught,
    ):
        api.list_projects()
    message = str(caught.value)
    assert message.startswith("projects/read: gave up after 3 attempts: rate limited (429) (POST ")
    assert f"{emulator.base_url}projects/read, " in message
    assert message.endswith("too many requests: try again later, or with a lower --parallelism")
    assert len(notices) == 2  # no notice after the last attempt: there is no next one


def seconds_blanked(message: str) -> str:
    # The one part of the message that depends on the machine: how long the attempts took.
    return re.sub(r", \d+\.\ds\); ", ", Ns); ", message)


@pytest.mark.parametrize("status", [500, 503])
def test_a_5xx_names_its_status_once_in_each_notice_and_in_the_final_error(
    emulator: Any, status: int
) -> None:
    # The emulator's 5xx body says `HTTP 500` itself; the client used to prefix its own status
    # to it ("HTTP 500: HTTP 500").
    notices: list[RetryNotice] = []
    emulator.inject("projects/read", Fault.http_status(status), times=3)
    with (
        client(emulator, notices, max_retries=2) as api,
        pytest.raises(TransportError) as caught,
    ):
        api.list_projects()
    assert [n.cause for n in notices] == [f"HTTP {status}", f"HTTP {status}"]
    assert seconds_blanked(str(caught.value)) == (
        f"projects/read: gave up after 3 attempts: HTTP {status} "
        f"(POST {emulator.base_url}projects/read, Ns); "
        "the service may be having trouble: try again in a few minutes"
    )


def test_a_4xx_names_its_status_once(emulator: Any) -> None:
    notices: list[RetryNotice] = []
    emulator.inject("projects/read", Fault.http_status(400), times=1)
    with client(emulator, notices) as api, pytest.raises(ApiError) as caught:
        api.list_projects()
    assert str(caught.value) == "projects/read: HTTP 400"
    assert notices == []  # a 4xx does not change by asking again
