"""The workflows behind `plan` and `apply` (qcsync/operations.py) apart from the command line,
against the emulator: they meet their user only through the hooks they are handed, print
nothing, connect once and only after the config has been read, and converge."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.errors import ApplyCancelled, ConfigError
from qcsync.interrupt import Interrupt
from qcsync.operations import ApplyHooks, ApplyRequest, apply_config, plan_config
from qcsync.plan import Plan
from qcsync.report import ChangeResult

CONFIG = """\
version: 1
scope: ["Strategies/"]
prune: true
projects:
  - name: Strategies/Momentum
    nodes: [B4-12]
  - name: Strategies/Carry
    language: C#
"""
WRITES = {"projects/create", "projects/update", "projects/delete", "projects/nodes/update"}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # an apply's backups land in .qcsync/backups/ here
    (tmp_path / "qcsync.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


class Account:
    """A `Connect` to the emulator that counts how often it is opened."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.opened = 0

    @contextlib.contextmanager
    def __call__(self) -> Iterator[QCClient]:
        self.opened += 1
        credentials = Credentials(user_id=self.emulator.user_id, token=self.emulator.token)
        with QCClient(self.emulator.base_url, credentials, backoff=0.01) as client:
            yield client

    def writes(self) -> list[str]:
        return [r.endpoint for r in self.emulator.writes() if r.endpoint in WRITES]


class Hooks:
    """Records what the workflow asked of its user, in order."""

    def __init__(self, *, cancel: bool = False) -> None:
        self.calls: list[str] = []
        self.shown: list[Plan] = []
        self.cancel = cancel

    def hooks(self) -> ApplyHooks:
        return ApplyHooks(
            show=self.show,
            confirm=self.confirm,
            progress=self.progress,
            notice=lambda text: self.calls.append(f"notice {text}"),
            interrupts=self.interrupts,
        )

    def show(self, plan: Plan) -> None:
        self.calls.append("show")
        self.shown.append(plan)

    def confirm(self) -> None:
        self.calls.append("confirm")
        if self.cancel:
            raise ApplyCancelled()

    def progress(self, total: int) -> Callable[[ChangeResult], None]:
        self.calls.append(f"progress of {total}")
        return lambda result: self.calls.append(f"done {result.change.name}")

    @contextlib.contextmanager
    def interrupts(self, interrupt: Interrupt) -> Iterator[None]:
        self.calls.append("interrupts on")
        yield
        self.calls.append("interrupts off")


def env(emulator: Any, home: Path) -> dict[str, str]:
    return {"HOME": str(home), "QC_API_TOKEN": emulator.token}


def request(plan_file: Path | None = None, auto_approve: bool = False) -> ApplyRequest:
    return ApplyRequest(
        paths=(),
        plan_file=plan_file,
        targets=(),
        parallelism=1,
        force=False,
        allow_live=False,
        auto_approve=auto_approve,
    )


def left_to_do(account: Account, environ: dict[str, str]) -> Plan:
    return plan_config(account, (), environ, (), 1, file_counts=False)


def test_an_apply_shows_confirms_applies_and_converges_printing_nothing(
    emulator: Any, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account, hooks, environ = Account(emulator), Hooks(), env(emulator, workdir)
    applied = apply_config(account, request(), environ, hooks.hooks())
    assert applied.report is not None
    assert applied.report.ok
    assert account.opened == 1
    assert hooks.calls[:4] == ["show", "confirm", "interrupts on", "progress of 2"]
    assert sorted(c for c in hooks.calls if c.startswith("done ")) == [
        "done Strategies/Carry",
        "done Strategies/Momentum",
    ]
    assert hooks.calls[-1] == "interrupts off"
    assert hooks.shown == [applied.plan]  # nothing to delete: no file counts to add
    assert capsys.readouterr() == ("", "")
    assert left_to_do(account, environ).changes == ()


def test_a_refused_confirmation_writes_nothing(emulator: Any, workdir: Path) -> None:
    account, hooks = Account(emulator), Hooks(cancel=True)
    emulator.clear_log()
    with pytest.raises(ApplyCancelled):
        apply_config(account, request(), env(emulator, workdir), hooks.hooks())
    assert hooks.calls == ["show", "confirm"]
    assert account.writes() == []


def test_auto_approve_asks_for_no_confirmation(emulator: Any, workdir: Path) -> None:
    account, hooks, environ = Account(emulator), Hooks(), env(emulator, workdir)
    applied = apply_config(account, request(auto_approve=True), environ, hooks.hooks())
    assert applied.report is not None
    assert applied.report.ok
    assert "confirm" not in hooks.calls
    assert hooks.calls[0] == "show"
    assert left_to_do(account, environ).changes == ()


def test_a_saved_plan_is_applied_without_review_then_has_nothing_to_do(
    emulator: Any, workdir: Path
) -> None:
    account, environ = Account(emulator), env(emulator, workdir)
    saved = workdir / "plan.json"
    planned = plan_config(account, (), environ, (), 1, file_counts=True, out=saved)
    assert planned.changes
    assert planned.config  # bound to the config's digests, or apply would refuse it
    hooks = Hooks()
    applied = apply_config(account, request(plan_file=saved), environ, hooks.hooks())
    assert applied.report is not None
    assert applied.report.ok
    assert "show" not in hooks.calls
    assert "confirm" not in hooks.calls
    assert left_to_do(account, environ).changes == ()

    emulator.clear_log()
    again = Hooks()
    nothing = apply_config(account, request(), environ, again.hooks())
    assert nothing.report is None
    assert nothing.plan.changes == ()
    assert again.calls == ["show"]  # the plan on screen says there is nothing to do
    assert account.writes() == []


def test_a_bad_config_is_refused_before_connecting(emulator: Any, workdir: Path) -> None:
    (workdir / "qcsync.yaml").write_text(
        "version: 1\nprojects:\n  - {name: A/B, language: Python}\n", encoding="utf-8"
    )
    account, environ = Account(emulator), env(emulator, workdir)
    with pytest.raises(ConfigError):
        plan_config(account, (), environ, (), 1, file_counts=True)
    with pytest.raises(ConfigError):
        apply_config(account, request(), environ, Hooks().hooks())
    assert account.opened == 0
