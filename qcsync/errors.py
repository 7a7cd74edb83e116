"""The error tree and the exit codes every command shares (DESIGN.md §2).

    QcsyncError                 exit 1 unless a subclass says otherwise
    ├── ConfigError             bad configuration; carries every ConfigIssue at once
    ├── CredentialsError        no credentials, or an API URL that is refused
    ├── ApiError                the service said no, or could not be reached
    │   ├── AuthenticationError     401 / "Hash doesn't match."
    │   ├── TransportError          timeouts, connection errors, 5xx/429 after the retries
    │   └── AmbiguousWriteError     a write whose outcome is unknown (response lost)
    ├── PlanError               the desired state cannot be planned (language change, ...)
    │   └── NodeReferenceError      an unknown or ambiguous node reference
    ├── StalePlanError          a saved plan no longer matches the live state
    ├── ApplyError              an apply that did not finish cleanly; carries its ApplyReport
    ├── BackupError             a backup could not be written or read back
    └── SafetyError             exit 4: blocked by a safety rule (DESIGN.md §3)

Messages never contain the API token: the client builds every ApiError from the endpoint and the
service's own `errors`, never from request headers.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qcsync.report import ApplyReport


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    CHANGES = 3
    BLOCKED = 4
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class QcsyncError(Exception):
    """Base of every error qcsync reports to a user as one line."""

    exit_code: ExitCode = ExitCode.ERROR


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a config file, located as `FILE:LINE:COL: PATH: message`."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(QcsyncError):
    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class CredentialsError(QcsyncError):
    pass


class ApiError(QcsyncError):
    """The service answered `success: false`, or a request failed for good."""

    def __init__(
        self,
        endpoint: str,
        errors: Sequence[str] = (),
        *,
        status: int | None = None,
        message: str | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.errors = tuple(errors)
        self.status = status
        text = message or "; ".join(self.errors) or "request failed"
        super().__init__(f"{endpoint}: {text}")


class AuthenticationError(ApiError):
    pass


class TransportError(ApiError):
    pass


class AmbiguousWriteError(ApiError):
    """A write may or may not have happened: its response was lost and it could not be checked."""


class PlanError(QcsyncError):
    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class NodeReferenceError(PlanError):
    """A node reference (id, name or SKU) that matches no node, or more than one."""

    def __init__(self, problems: Sequence[str], *, unknown: bool = False) -> None:
        super().__init__(problems)
        self.unknown = unknown  # matches no node: the catalogue is worth listing


class StalePlanError(QcsyncError):
    """A saved plan that is not what a fresh plan of its config says (DESIGN.md §4)."""

    def __init__(
        self, problems: Sequence[str], heading: str = "the plan is stale; nothing was applied:"
    ) -> None:
        self.problems = tuple(problems)
        super().__init__(heading + "\n" + "\n".join(f"  {p}" for p in problems))


class ApplyError(QcsyncError):
    """An apply that failed part-way, was interrupted, or did not converge.

    `report` says what was and was not done; the message (possibly empty) says what else went
    wrong, e.g. that every change was applied and only the convergence check failed.
    """

    def __init__(self, report: ApplyReport, message: str = "") -> None:
        self.report = report
        if report.interrupted:
            self.exit_code = ExitCode.INTERRUPTED
        super().__init__(message)


class ApplyCancelled(QcsyncError):
    """Not a failure to explain: printed as it is (`Apply cancelled.`), exit 1."""

    def __init__(self) -> None:
        super().__init__("Apply cancelled.")


class BackupError(QcsyncError):
    pass


class SafetyError(QcsyncError):
    exit_code = ExitCode.BLOCKED

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations = tuple(violations)
        super().__init__("\n".join(self.violations))
