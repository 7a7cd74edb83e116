"""Renderings: closing lines, LIVE marks, violations last, colour on demand, Markdown size."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from qcsync.model import Node
from qcsync.plan import Note, Plan
from qcsync.render import render_json, render_markdown, render_text
from tests import changes

B4 = Node("BN-1", "Backtest B4-12", "B4-12", "backtest")
RENAME = changes.update(1, "S/New", "renamed_from 'S/Old'", old_name="S/Old")
CREATE = changes.create("S/C", reason="not in QuantConnect")
NODES = changes.nodes(2, "S/A", (), ("BN-1", "XX-9"), "node selection differs", live=True)
DELETE = changes.delete(3, "S/Gone", "in scope S/, not declared, prune is on")
PLAN = Plan("org", (RENAME, CREATE, NODES, DELETE), 12, in_scope=20, nodes=(B4,))
VIOLATIONS = (
    "S/A is LIVE: blocked",
    "1 deletes exceed limits.max_deletes=0; review, then use --force",
)


@pytest.mark.parametrize(
    ("plan", "last_line"),
    [
        pytest.param(
            PLAN, "Plan: 1 to create, 2 to update, 1 to delete, 12 unchanged.", id="mixed"
        ),
        pytest.param(Plan("org", (), 1), "No changes. 1 project unchanged.", id="one unchanged"),
        pytest.param(Plan("org", (), 0), "No changes. 0 projects unchanged.", id="empty"),
    ],
)
def test_text_ends_with_the_summary_line(plan: Plan, last_line: str) -> None:
    assert render_text(plan).splitlines()[-1] == last_line


def test_text_shows_one_block_per_change_with_before_and_after() -> None:
    text = render_text(PLAN)
    assert (
        '  ~ rename S/New (id 1)\n      # renamed_from \'S/Old\'\n      name: "S/Old" -> "S/New"'
        in text
    )
    assert '  + create S/C (new)\n      # not in QuantConnect\n      name: "S/C"\n' in text
    assert "  - delete S/Gone (id 3)" in text


def test_nodes_are_shown_by_label_and_unknown_ids_as_ids() -> None:
    assert "nodes: auto -> Backtest B4-12 (B4-12) BN-1, XX-9" in render_text(PLAN)


def test_violations_come_last_so_the_last_line_names_the_limit_and_force() -> None:
    lines = render_text(PLAN, violations=VIOLATIONS).splitlines()
    assert lines[-2:] == [f"Blocked: {v}" for v in VIOLATIONS]
    assert "--force" in lines[-1]


def test_text_is_coloured_only_when_asked() -> None:
    assert "\x1b[" not in render_text(PLAN, violations=VIOLATIONS)
    coloured = render_text(PLAN, color=True, violations=VIOLATIONS)
    assert "\x1b[32m" in coloured  # green create
    assert "\x1b[31m" in coloured  # red delete


@pytest.mark.parametrize(
    "rendering",
    [
        pytest.param(lambda p: render_text(p), id="text"),
        pytest.param(lambda p: render_markdown(p), id="markdown"),
        pytest.param(lambda p: render_markdown(p, limit=700), id="summarised markdown"),
    ],
)
def test_every_rendering_marks_live_projects(rendering: Callable[[Plan], str]) -> None:
    assert "LIVE" in rendering(PLAN)
    assert "LIVE" not in rendering(Plan("org", (RENAME,), 0))


def test_json_marks_live_changes_and_carries_the_version() -> None:
    document = json.loads(render_json(PLAN))
    assert document["format_version"] == 2
    assert [c["live"] for c in document["changes"]] == [False, False, True, False]


def test_notes_are_grouped_by_reason_and_long_groups_are_cut_short() -> None:
    notes = tuple(Note(f"O/{i:02}", i, "out of scope") for i in range(13))
    text = render_text(Plan("org", (), 0, notes=notes))
    assert "  out of scope: O/00 (id 0), " in text
    assert text.count("(id ") == 10
    assert "O/09 (id 9) and 3 more" in text


def test_targets_are_announced_first() -> None:
    assert render_text(Plan("org", (), 0, targets=("S/A",))).startswith("Limited to --target S/A")


def test_markdown_puts_the_summary_table_first_details_after_and_blocks_last() -> None:
    markdown = render_markdown(PLAN, violations=VIOLATIONS)
    assert markdown.startswith("### Plan: 1 to create, 2 to update, 1 to delete, 12 unchanged.")
    assert markdown.index("| --- |") < markdown.index("<details>")
    assert markdown.endswith(f"> **Blocked:** {VIOLATIONS[1]}")


@pytest.mark.parametrize("limit", [3000, 900, 700])
def test_markdown_over_the_limit_is_summarised_and_points_to_the_json_plan(limit: int) -> None:
    many = tuple(
        changes.delete(i, f"S/P{i:03}", "in scope S/, not declared, prune is on")
        for i in range(200)
    )
    markdown = render_markdown(Plan("org", many, 0), violations=VIOLATIONS, limit=limit)
    assert len(markdown) <= limit
    assert "the full plan is in the JSON plan file" in markdown
    assert markdown.endswith(f"> **Blocked:** {VIOLATIONS[1]}")


def test_markdown_fences_survive_backticks_in_descriptions() -> None:
    change = changes.update(1, "S/A", "description", description=("a", "```x```"))
    markdown = render_markdown(Plan("org", (change,), 0))
    assert "````diff\n" in markdown
    assert markdown.count("````") == 2


def test_markdown_escapes_pipes_in_table_cells() -> None:
    change = changes.delete(1, "S/A", "a | b")
    assert "| a \\| b |" in render_markdown(Plan("org", (change,), 0, in_scope=9))


def test_markdown_with_thousands_of_blocked_live_projects_still_ends_with_the_limit_line() -> None:
    live = tuple(changes.delete(i, f"S/Live{i:04}", "prune", live=True) for i in range(3000))
    violations = [
        f"S/Live{i:04} is LIVE (live trading running): use --allow-live" for i in range(3000)
    ]
    violations.append("3000 deletes exceed limits.max_deletes=3; review, then use --force")
    markdown = render_markdown(Plan("org", live, 0), violations=violations)
    assert len(markdown) <= 60_000
    assert markdown.endswith(f"> **Blocked:** {violations[-1]}")
    assert "more lines; see the JSON plan file" in markdown
