"""What every rendering of a Plan shares: the symbols and colours of actions, the summary lines,
how changes group into blocks (one per project, a created project's content in its block), the
heading of a block, and the notes on what is left alone.

All of it is pure and returns strings made safe for a terminal (`escape.terminal`); the Markdown
rendering escapes its own cells from the raw values.
"""

from __future__ import annotations

from typing import assert_never

from qcsync.aspects import aspect_of
from qcsync.escape import terminal
from qcsync.plan import PROJECT, Action, Change, Plan, Summary

LIVE_MARK = "LIVE"
NOTES_LISTED = 10  # names listed per note reason before "and N more"


def symbol(action: Action) -> str:
    match action:
        case Action.CREATE:
            return "+"
        case Action.UPDATE:
            return "~"
        case Action.DELETE:
            return "-"
        case _ as unreachable:
            assert_never(unreachable)


def colour(action: Action) -> str:
    match action:
        case Action.CREATE:
            return "green"
        case Action.UPDATE:
            return "yellow"
        case Action.DELETE:
            return "red"
        case _ as unreachable:
            assert_never(unreachable)


def summary_line(summary: Summary) -> str:
    if not summary.total:
        noun = "project" if summary.unchanged == 1 else "projects"
        return f"No changes. {summary.unchanged} {noun} unchanged."
    return (
        f"Plan: {summary.create} to create, {summary.update} to update, "
        f"{summary.delete} to delete, {summary.unchanged} unchanged."
    )


def aspect_line(summary: Summary) -> str:
    """The content changes by aspect (`project 2, nodes 1`); "" when there are none."""
    if not summary.by_aspect:
        return ""
    return "Changes by aspect: " + ", ".join(f"{a} {n}" for a, n in summary.by_aspect) + "."


def verb(change: Change) -> str:
    """The word a block or row is headed with; the change's aspect chooses it."""
    return aspect_of(change).verb(change)


def blocks(plan: Plan) -> list[tuple[Change, list[Change]]]:
    """The changes as renderings show them: one block per change, except that the content of a
    project being created (its other aspects' changes, which have no project id yet) is shown
    in its create's block."""
    result: list[tuple[Change, list[Change]]] = []
    creates: dict[str, list[Change]] = {}
    for change in plan.changes:
        if change.project_id is None and change.aspect != PROJECT and change.name in creates:
            creates[change.name].append(change)
            continue
        if result and _same_items(result[-1][0], change):
            result[-1][1].append(change)  # one block for a project's files (keyed items)
            continue
        block: list[Change] = [change]
        if change.aspect == PROJECT and change.action is Action.CREATE:
            creates[change.name] = block
        result.append((change, block))
    return result


def block_action(change: Change) -> Action:
    """A block of an existing project's items (its files) updates the project, whatever each
    item's own action (each line shows that)."""
    return (
        Action.UPDATE if change.key is not None and change.project_id is not None else change.action
    )


def _same_items(head: Change, change: Change) -> bool:
    """Changes to items (`key`) of one aspect of one live project share a block."""
    return (
        head.key is not None
        and change.key is not None
        and head.project_id is not None
        and head.project_id == change.project_id
        and head.aspect == change.aspect
    )


def shown(plan: Plan, change: Change) -> list[str]:
    """The field lines of a change, as its aspect shows them, safe for a terminal."""
    return [terminal(line) for line in aspect_of(change).show(change, plan)]


def heading(change: Change) -> str:
    """`Strategies/X (id 123)`, or `(new)` for a project the plan creates."""
    where = f"id {change.project_id}" if change.project_id is not None else "new"
    live = f" [{LIVE_MARK}: live trading running]" if change.live else ""
    return f"{terminal(change.name)} ({where}){live}"


def recycle_bin_line(count: int) -> str:
    noun = "project" if count == 1 else "projects"
    return f"Recycle Bin: {count} deleted {noun} waiting to be purged, never planned."


def note_lines(plan: Plan) -> list[str]:
    """Notes grouped by reason, so a large account does not drown the plan in names."""
    by_reason: dict[str, list[str]] = {}
    for note in plan.notes:
        live = f" [{LIVE_MARK}]" if note.live else ""
        by_reason.setdefault(terminal(note.reason), []).append(
            f"{terminal(note.name)} (id {note.project_id}){live}"
        )
    lines: list[str] = []
    for reason, names in by_reason.items():
        listed = ", ".join(names[:NOTES_LISTED])
        more = f" and {len(names) - NOTES_LISTED} more" if len(names) > NOTES_LISTED else ""
        lines.append(f"{reason}: {listed}{more}")
    return lines
