"""Network errors a new user meets, end to end (issue 16): the URL, what was tried, the fix;
a notice on stderr while a request is retried, never silence."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qcsync.emulator import Fault

from .conftest import Run

CONFIG = "version: 1\nprojects:\n  - name: Strategies/X\n"


def closed_port() -> int:
    """A loopback port that nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_api_names_the_url_what_was_tried_and_the_fix(
    qcsync: Run, write_config: Callable[..., Path]
) -> None:
    write_config(CONFIG)
    url = f"http://127.0.0.1:{closed_port()}/api/v2/"
    result = qcsync("plan", env={"QC_API_URL": url})
    assert result.exit_code == 1
    assert result.stdout == ""
    *notices, error = result.stderr.strip().splitlines()
    assert error.startswith("Error: organizations/read: gave up after 5 attempts: ")
    assert f"connection refused (POST {url}organizations/read, " in error
    assert "check the URL (--api-url, QC_API_URL" in error
    # While it retried, it said so: one line per wait, naming the URL.
    assert notices
    assert all(
        n.startswith(f"{url}organizations/read: connection refused; retrying in ") for n in notices
    )
    assert "Traceback" not in result.stderr


def test_an_api_url_without_api_v2_says_so_at_once(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(CONFIG)
    root = emulator.base_url.removesuffix("api/v2/")
    result = qcsync("plan", "--api-url", root)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines  # a 404 is not retried
    assert f"HTTP 404 from {root}organizations/read" in lines[0]
    assert f"the API URL {root} does not end in /api/v2/" in lines[0]
    assert "https://www.quantconnect.com/api/v2/" in lines[0]


def test_a_failing_request_that_recovers_leaves_a_notice_and_a_good_plan(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(CONFIG)
    emulator.inject("projects/read", Fault.http_status(503), times=2)
    result = qcsync("plan")
    assert result.exit_code == 0, result.stderr
    assert "Plan: 1 to create" in result.stdout
    assert "retrying" not in result.stdout  # notices are diagnostics: stderr only
    notices = result.stderr.strip().splitlines()
    assert 1 <= len(notices) <= 2
    # The status once, not "HTTP 503: HTTP 503" (the emulator's 5xx body names it too).
    expected = re.escape(f"{emulator.base_url}projects/read: HTTP 503; retrying in ")
    for attempt, notice in enumerate(notices, start=2):
        assert re.fullmatch(rf"{expected}\d+\.\ds \(attempt {attempt} of 5\)", notice), notice


def test_a_refusal_names_its_status_once(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(CONFIG)
    emulator.inject("projects/read", Fault.http_status(400), times=1)
    result = qcsync("plan")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["Error: projects/read: HTTP 400"]


def test_a_lost_create_answer_says_it_is_checking(
    qcsync: Run, write_config: Callable[..., Path], emulator: Any
) -> None:
    write_config(CONFIG)
    emulator.inject("projects/create", Fault.lost_response())
    result = qcsync("apply", "--auto-approve")
    assert result.exit_code == 0, result.stderr
    assert f"{emulator.base_url}projects/create: " in result.stderr
    assert "checking whether it took effect" in result.stderr
    assert [p["name"] for p in emulator.projects()].count("Strategies/X") == 1
    again = qcsync("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout
