"""What apply tells of each change as it finishes (one line on stderr, then its notes):
`[3/12 4.1s] + create NAME: created (id 5) [0.3s]`. Pure: the command line keeps the count and
the clock, and escapes the lines as it prints them."""

from __future__ import annotations

from qcsync.plan import what
from qcsync.render import symbol
from qcsync.report import ChangeResult, Outcome


def progress_lines(result: ChangeResult, done: int, total: int, elapsed: float) -> list[str]:
    """`done` of `total` changes (a new project with its content is one) have finished,
    `elapsed` seconds after the apply started; `result` is the last."""
    change = result.change
    line = f"[{done}/{total} {elapsed:.1f}s] {symbol(change.action)} {what(change)} {change.name}"
    label = "" if result.outcome is Outcome.APPLIED else f"{result.outcome.value.upper()}: "
    return [
        f"{line}: {label}{result.message} [{result.seconds:.1f}s]",
        *(f"  note: {note}" for note in result.notes),
    ]
