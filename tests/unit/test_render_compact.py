"""Big plans stay readable (issue 16): `--compact`, counts per folder that fit a screen, what a
delete takes away, and multi-line descriptions diffed line by line."""

from __future__ import annotations

import dataclasses

from qcsync.plan import Change, Plan
from qcsync.render import (
    BIG_PLAN,
    FOLDERS_LISTED,
    folder_lines,
    holds_line,
    render_compact,
    render_text,
)
from tests import changes

RENAME = changes.update(1, "S/New", "renamed_from 'S/Old'", old_name="S/Old")
CREATE = changes.create("S/C", reason="not in QuantConnect")
NODES = changes.nodes(2, "S/A", (), ("BN-1",), "node selection differs")
DELETE = dataclasses.replace(
    changes.delete(3, "R/Gone", "pruned", live=True),
    before={"name": "R/Gone", "language": "C#", "description": "Old carry"},
)
PLAN = Plan("org", (RENAME, CREATE, NODES, DELETE), 4, file_counts={3: 7})


def test_compact_is_one_line_per_change_then_folders_then_the_summary() -> None:
    assert render_compact(PLAN).splitlines() == [
        "  ~ rename S/New (id 1): from 'S/Old'",
        "  + create S/C (new)",
        "  ~ nodes S/A (id 2): nodes",
        "  - delete R/Gone (id 3) [LIVE: live trading running]: C#, 7 files, "
        'description "Old carry", LIVE: live trading running',
        "",
        "By folder:",
        "  S/: 1 to create, 2 to update",
        "  R/: 1 to delete",
        "",
        "Changes by aspect: project 1, nodes 1.",
        "Plan: 1 to create, 2 to update, 1 to delete, 4 unchanged.",
    ]


def test_a_delete_says_what_it_takes_away() -> None:
    assert holds_line(PLAN, DELETE) == (
        'holds: C#, 7 files, description "Old carry", LIVE: live trading running'
    )
    unread = dataclasses.replace(PLAN, file_counts={})
    plain = changes.delete(4, "S/Empty")
    assert holds_line(unread, plain) == "holds: Py, no description"
    assert "      holds: C#, 7 files" in render_text(PLAN)


def test_folder_lines_fit_a_screen_however_many_folders() -> None:
    many = tuple(changes.create(f"F{i:03}/P", reason="new") for i in range(200))
    lines = folder_lines(Plan("org", many, 0))
    assert len(lines) == 1 + FOLDERS_LISTED + 1
    assert (
        lines[-1] == f"  and {200 - FOLDERS_LISTED} more folders: {200 - FOLDERS_LISTED} projects"
    )


def test_a_big_text_plan_ends_with_its_folders_and_the_compact_hint() -> None:
    big = tuple(changes.create(f"S/P{i:04}", reason="new") for i in range(BIG_PLAN + 1))
    assert render_text(Plan("org", big, 0)).splitlines()[-5:] == [
        "By folder:",
        f"  S/: {BIG_PLAN + 1} to create",
        "(`qcsync plan --compact` shows one line per change.)",
        "",
        f"Plan: {BIG_PLAN + 1} to create, 0 to update, 0 to delete, 0 unchanged.",
    ]
    assert "By folder:" not in render_text(Plan("org", big[:3], 0))


def test_a_multi_line_description_is_diffed_line_by_line() -> None:
    change: Change = changes.update(
        1, "S/A", "description differs", description=("keep\nold line\n", "keep\nnew line\n")
    )
    text = render_text(Plan("org", (change,), 0))
    assert (
        '      description:\n        "keep"\n'.replace('        "keep"', '          "keep"')
        + '        - "old line"\n'
        + '        + "new line"\n'
        + '          ""\n'
    ) in text
    one_line = changes.update(1, "S/A", "differs", description=("a", "b"))
    assert '      description: "a" -> "b"' in render_text(Plan("org", (one_line,), 0))
