"""Unified diffs of a file's text for plans, trimmed to a budget. Pure.

Line endings are normalized first, as they never count as a change (codefolder.same_text). A
plan of many files must stay readable and a pull-request comment must stay under GitHub's
limit, so a rendering gives each file a share of a budget (`Budget`) and says how many lines it
left out; the plan file keeps the whole content, so nothing is lost by trimming.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final

from qcsync.codefolder import normalized

CONTEXT: Final = 3


def unified(old: str, new: str) -> list[str]:
    """The hunks (`@@ ... @@` and their ` `/`-`/`+` lines) that turn `old` into `new`, without
    the `---`/`+++` header (the plan line names the file). A new file is all `+` lines."""
    lines = difflib.unified_diff(
        normalized(old).splitlines(), normalized(new).splitlines(), lineterm="", n=CONTEXT
    )
    return [line for line in lines if not line.startswith(("---", "+++"))]


def added_removed(lines: list[str]) -> tuple[int, int]:
    added = sum(1 for line in lines if line.startswith("+"))
    removed = sum(1 for line in lines if line.startswith("-"))
    return added, removed


@dataclass
class Budget:
    """What a rendering may still spend on diff lines: per file, and in all (characters)."""

    per_file_lines: int
    total_chars: int

    def take(self, lines: list[str]) -> tuple[list[str], int]:
        """The lines that fit, and how many were left out."""
        kept: list[str] = []
        for line in lines[: self.per_file_lines]:
            cost = len(line) + 1
            if cost > self.total_chars:
                break
            self.total_chars -= cost
            kept.append(line)
        return kept, len(lines) - len(kept)


def omitted_note(count: int) -> str:
    plural = "s" if count != 1 else ""
    return f"... {count} more diff line{plural} not shown (the plan file has them all)"


# The budget of the rendering under way; each `show` of a file change outside one gets its own.
_BUDGET: ContextVar[Budget | None] = ContextVar("qcsync_diff_budget", default=None)


def current_budget(per_file_lines: int, total_chars: int) -> Budget:
    return _BUDGET.get() or Budget(per_file_lines, total_chars)


@contextlib.contextmanager
def budgeted(per_file_lines: int, total_chars: int) -> Iterator[Budget]:
    """Diffs shown inside share one budget: a rendering's whole plan stays within it."""
    budget = Budget(per_file_lines, total_chars)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)
