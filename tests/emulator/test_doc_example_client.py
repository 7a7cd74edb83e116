"""The documentation-style client runs unchanged against ``qcsync emulator``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qcsync.emulator import Emulator
from qcsync.emulator.__main__ import build_parser, describe

HERE = Path(__file__).resolve().parent
TOKEN = "0123456789abcdef" * 4


@pytest.fixture
def emulator_process(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qcsync",
            "emulator",
            "--port",
            "0",
            "--user-id",
            "424242",
            "--token",
            TOKEN,
            "--state",
            str(tmp_path / "state.json"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(4)]
    url = next(line.split()[-1] for line in lines if "API URL" in line)
    try:
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=5)
        process.stdout.close()


def test_the_documentation_style_client_runs_unchanged(
    emulator_process: tuple[str, subprocess.Popen[str]],
) -> None:
    url, _ = emulator_process
    env = {**os.environ, "QC_USER_ID": "424242", "QC_API_TOKEN": TOKEN}
    run = subprocess.run(
        [sys.executable, str(HERE / "doc_example_client.py"), url],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "{'success': True}",
        "Project Created Successfully:",
        "Doc Example Project",
        "Project Details Retrieved Successfully:",
        "Py",
        "6 projects, 4 in the organization",
        "Project Nodes Retrieved Successfully:",
        "True",
        "Project Nodes Updated Successfully:",
        "False",
        "Project Deleted Successfully",
    ]


def test_the_banner_gives_url_user_id_and_token() -> None:
    emulator = Emulator(user_id="777", token="tok")
    url = emulator.bind("127.0.0.1", 0)
    try:
        banner = describe(emulator)
    finally:
        emulator.stop()
    assert url in banner
    assert "user id:   777" in banner
    assert "API token: tok" in banner


def test_the_command_line_defaults_to_loopback_port_5612() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.max_age, args.auth_failure_status) == (
        "127.0.0.1",
        5612,
        1800,
        401,
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--seed", "{missing}"], 1, "bad --seed or --state file"),
        (["--fault-rate", "2"], 2, "--fault-rate must be between 0 and 1"),
    ],
    ids=["missing-seed", "fault-rate"],
)
def test_emulator_mistakes_are_one_line_without_traceback(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    args = [a.replace("{missing}", str(tmp_path / "nope.json")) for a in args]
    run = subprocess.run(
        [sys.executable, "-m", "qcsync", "emulator", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == code
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_a_port_in_use_is_explained(emulator: Emulator) -> None:
    port = emulator.base_url.split(":")[2].split("/")[0]
    run = subprocess.run(
        [sys.executable, "-m", "qcsync", "emulator", "--port", port],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 1
    assert "--port 0" in run.stderr
    assert "Traceback" not in run.stderr
