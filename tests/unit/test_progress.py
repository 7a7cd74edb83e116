"""The line apply prints as each change finishes (qcsync/progress.py): step, elapsed time,
symbol, what and name, the outcome (shouted unless applied), the change's own time, its notes."""

from __future__ import annotations

import pytest

from qcsync.progress import progress_lines
from qcsync.report import ChangeResult, Outcome
from tests import changes

CREATE = changes.create("S/A")
RENAME = changes.update(2, "S/B", old_name="S/Old")
NODES = changes.nodes(2, "S/B", ("B2-8",), ("B4-12",))
DELETE = changes.delete(3, "S/C")


@pytest.mark.parametrize(
    ("result", "done", "total", "elapsed", "expected"),
    [
        (
            ChangeResult(CREATE, Outcome.APPLIED, "created (id 5)", seconds=0.31),
            3,
            12,
            4.12,
            ["[3/12 4.1s] + create S/A: created (id 5) [0.3s]"],
        ),
        (
            ChangeResult(RENAME, Outcome.FAILED, "name taken", seconds=1.0),
            1,
            2,
            0.0,
            ["[1/2 0.0s] ~ update S/B: FAILED: name taken [1.0s]"],
        ),
        (
            ChangeResult(DELETE, Outcome.UNKNOWN, "no answer", seconds=30.04),
            2,
            2,
            31.96,
            ["[2/2 32.0s] - delete S/C: UNKNOWN: no answer [30.0s]"],
        ),
        (
            ChangeResult(NODES, Outcome.NOT_ATTEMPTED, "interrupted"),
            1,
            1,
            0.5,
            ["[1/1 0.5s] ~ nodes S/B: NOT ATTEMPTED: interrupted [0.0s]"],
        ),
        (
            ChangeResult(
                CREATE,
                Outcome.APPLIED,
                "created (id 7)",
                notes=("removed the duplicate S/A 1", "second"),
            ),
            1,
            1,
            0.0,
            [
                "[1/1 0.0s] + create S/A: created (id 7) [0.0s]",
                "  note: removed the duplicate S/A 1",
                "  note: second",
            ],
        ),
    ],
)
def test_progress_lines(
    result: ChangeResult, done: int, total: int, elapsed: float, expected: list[str]
) -> None:
    assert progress_lines(result, done, total, elapsed) == expected
