"""Ctrl-C sent to a real `qcsync apply` process against an emulator with latency (issue 11).

The report printed after SIGINT is checked against the emulator's account and request log:
every change reported applied is in the account, and every change in the account is reported.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from qcsync.emulator import Emulator, Fault
from tests.cli.ctrl_c import qcsync_command
from tests.emulator_fixtures import EmulatorFactory

NAMES = [f"Strategies/P{i}" for i in range(8)]
CONFIG = "version: 1\nprojects:\n" + "".join(f"  - name: {n}\n" for n in NAMES)
REPORTED = re.compile(r"^  (applied|failed|not attempted|unknown): create ([^:]+):", re.MULTILINE)


def environment(emulator: Emulator, workdir: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(workdir),
        "QC_USER_ID": emulator.user_id,
        "QC_API_TOKEN": emulator.token,
        "QC_API_URL": emulator.base_url,
        "NO_COLOR": "1",
        "PYTHONUNBUFFERED": "1",
    }


def start(emulator: Emulator, workdir: Path, *args: str) -> subprocess.Popen[str]:
    (workdir / "qcsync.yaml").write_text(CONFIG, encoding="utf-8")
    return subprocess.Popen(
        qcsync_command(*args),
        cwd=workdir,
        env=environment(emulator, workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(emulator: Emulator, workdir: Path, *args: str) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "qcsync", *args],
        cwd=workdir,
        env=environment(emulator, workdir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode


def wait_for(condition: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)
    assert condition(), "timed out waiting"  # type: ignore[operator]


def account(emulator: Emulator) -> set[str]:
    return {str(p["name"]) for p in emulator.projects() if str(p["name"]).startswith("Strat")}


def reported(stdout: str) -> dict[str, set[str]]:
    outcomes: dict[str, set[str]] = {}
    for outcome, name in REPORTED.findall(stdout):
        outcomes.setdefault(outcome, set()).add(name)
    return outcomes


def test_ctrl_c_waits_for_changes_in_flight_and_reports_exactly_what_the_account_holds(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emulator = emulator_factory(latency_ms=300)
    process = start(emulator, tmp_path, "apply", "--auto-approve", "--parallelism", "2")
    wait_for(lambda: any(r.endpoint == "projects/create" for r in emulator.writes()))
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stdout + stderr
    assert "Interrupted: waiting for" in stderr
    assert "Apply interrupted:" in stdout
    assert "Apply interrupted:" in stderr
    outcomes = reported(stdout)
    assert sum(len(v) for v in outcomes.values()) == len(NAMES)  # every change, once
    assert outcomes["applied"] == account(emulator)  # applied <=> in the account
    assert outcomes["not attempted"]  # the interrupt took effect
    assert not outcomes.get("unknown")
    created = [r for r in emulator.writes() if r.endpoint == "projects/create"]
    assert {r.params["name"] for r in created} == outcomes["applied"]  # nothing else was sent

    assert run(emulator, tmp_path, "apply", "--auto-approve") == 0
    assert run(emulator, tmp_path, "plan", "--detailed-exitcode") == 0
    assert account(emulator) == set(NAMES)


def test_a_second_ctrl_c_abandons_the_change_in_flight_and_says_which(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emulator = emulator_factory(latency_ms=20)
    emulator.inject("projects/create", Fault.slow(seconds=3.0))
    arrived = threading.Event()
    respond = emulator.respond

    def spying(**request: Any) -> Any:
        if str(request["path"]).endswith("projects/create"):
            arrived.set()
        return respond(**request)

    emulator.respond = spying  # type: ignore[method-assign]
    process = start(emulator, tmp_path, "apply", "--auto-approve", "--parallelism", "1")
    assert arrived.wait(timeout=30)  # the first create is in flight (it takes 3 s)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stdout + stderr
    assert "Abandoned in flight: create Strategies/P0" in stderr
    outcomes = reported(stdout)
    assert outcomes["unknown"] == {"Strategies/P0"}
    assert outcomes["not attempted"] == set(NAMES) - {"Strategies/P0"}
    assert "abandoned in flight (a second Ctrl-C)" in stdout
    # The abandoned create still lands: "unknown" was the honest answer.
    wait_for(lambda: account(emulator) == {"Strategies/P0"}, seconds=10)
    assert run(emulator, tmp_path, "apply", "--auto-approve") == 0
    assert run(emulator, tmp_path, "plan", "--detailed-exitcode") == 0
    assert account(emulator) == set(NAMES)


def test_the_report_is_printed_once_when_stdout_and_stderr_are_one_file(
    emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "qcsync.yaml").write_text(CONFIG, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "qcsync", "apply", "--auto-approve"],
        cwd=tmp_path,
        env=environment(emulator, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one file, as in a CI log or a terminal
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert done.stdout.count("Apply complete:") == 1
