"""CLI tests: click's CliRunner in this process, talking HTTP to an emulator on 127.0.0.1."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import pytest
from click.testing import CliRunner, Result

from qcsync.cli import main
from qcsync.client import QCClient
from qcsync.credentials import Credentials


class Run(Protocol):
    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> Result: ...


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test runs in its own directory, so `.qcsync/` backups land in tmp_path."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def qcsync(emulator: Any, workdir: Path) -> Run:
    """Run `qcsync ARGS...` against the emulator, with credentials in the environment."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        environment = {
            "QC_USER_ID": emulator.user_id,
            "QC_API_TOKEN": emulator.token,
            "QC_API_URL": emulator.base_url,
            "NO_COLOR": "1",
            **(env or {}),
        }
        return runner.invoke(main, list(args), input=input, env=environment, catch_exceptions=False)

    return run


@pytest.fixture
def write_config(workdir: Path) -> Callable[[str, str], Path]:
    def write(text: str, name: str = "qcsync.yaml") -> Path:
        path = workdir / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


def api(emulator: Any) -> QCClient:
    """A client for arranging and checking state through the API itself."""
    return QCClient(emulator.base_url, Credentials(user_id=emulator.user_id, token=emulator.token))
