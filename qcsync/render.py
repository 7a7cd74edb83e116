"""Renderings of one Plan: text for terminals and logs, JSON for files and CI, Markdown for PRs.

Each renderer returns a string; printing is the CLI's job. Every rendering marks LIVE projects and
ends with the safety violations it is given (DESIGN.md §3, §4). Everything that came from the API
or a config (names, descriptions, node names, reasons quoting them) goes through `escape` for its
medium: no control character reaches a terminal, nothing ends a Markdown span, cell or block.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import assert_never

import click

from qcsync.escape import code_fence, json_text, markdown_code, markdown_text, terminal
from qcsync.model import RECYCLE_BIN, RECYCLE_BIN_DAYS
from qcsync.plan import (
    Action,
    Change,
    FieldChange,
    FieldValue,
    Plan,
    Summary,
    plan_to_json,
    summary_counts,
)

LIVE_MARK = "LIVE"
BACKUP_FOLDER = ".qcsync/backups"  # backup.DEFAULT_BACKUP_ROOT, without importing the client
MARKDOWN_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
NOTES_LISTED = 10  # names listed per note reason before "and N more"

_SYMBOL = {Action.CREATE: "+", Action.UPDATE: "~", Action.NODES: "~", Action.DELETE: "-"}
_COLOR = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.NODES: "yellow",
    Action.DELETE: "red",
}


def summary_line(summary: Summary) -> str:
    if not summary.total:
        noun = "project" if summary.unchanged == 1 else "projects"
        return f"No changes. {summary.unchanged} {noun} unchanged."
    return (
        f"Plan: {summary.create} to create, {summary.update} to update, "
        f"{summary.delete} to delete, {summary.unchanged} unchanged."
    )


def verb(change: Change) -> str:
    match change.action:
        case Action.CREATE:
            return "create"
        case Action.UPDATE:
            return "rename" if change.is_rename else "update"
        case Action.NODES:
            return "nodes"
        case Action.DELETE:
            return "delete"
        case _ as unreachable:
            assert_never(unreachable)


def heading(change: Change) -> str:
    """`Strategies/X (id 123)`, or `(new)` for a project the plan creates."""
    where = f"id {change.project_id}" if change.project_id is not None else "new"
    live = f" [{LIVE_MARK}: live trading running]" if change.live else ""
    return f"{terminal(change.name)} ({where}){live}"


def format_value(plan: Plan, field: FieldChange, value: FieldValue) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, tuple):
        if not value:
            return "auto"
        labels = {n.id: f"{n.label} {n.id}" for n in plan.nodes}
        return ", ".join(terminal(labels.get(node_id, node_id)) for node_id in value)
    return terminal(json.dumps(value, ensure_ascii=False))


def format_field(plan: Plan, change: Change, field: FieldChange) -> str:
    after = format_value(plan, field, field.after)
    if change.action is Action.CREATE:
        return f"{field.field}: {after}"
    return f"{field.field}: {format_value(plan, field, field.before)} -> {after}"


def delete_lines(change: Change) -> list[str]:
    """What a delete does today (qc-api.md §4.4), so a reviewer knows it can be undone."""
    return [
        f"moves to the Recycle Bin as '{RECYCLE_BIN}{terminal(change.name)}' (same id), "
        f"purged by QuantConnect after {RECYCLE_BIN_DAYS} days",
        f"backup first: {BACKUP_FOLDER}/<time>/{change.project_id}-*.json; "
        "`qcsync restore` brings it back",
    ]


def recycle_bin_line(count: int) -> str:
    noun = "project" if count == 1 else "projects"
    return f"Recycle Bin: {count} deleted {noun} waiting to be purged, never planned."


def note_lines(plan: Plan) -> list[str]:
    """Notes grouped by reason, so a large account does not drown the plan in names."""
    by_reason: dict[str, list[str]] = {}
    for note in plan.notes:
        by_reason.setdefault(terminal(note.reason), []).append(
            f"{terminal(note.name)} (id {note.project_id})"
        )
    lines: list[str] = []
    for reason, names in by_reason.items():
        listed = ", ".join(names[:NOTES_LISTED])
        more = f" and {len(names) - NOTES_LISTED} more" if len(names) > NOTES_LISTED else ""
        lines.append(f"{reason}: {listed}{more}")
    return lines


# --- text -----------------------------------------------------------------------------------------


def render_text(plan: Plan, *, color: bool = False, violations: Sequence[str] = ()) -> str:
    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if color else text

    lines: list[str] = []
    if plan.targets:
        lines.append(
            "Limited to --target "
            + ", ".join(terminal(t) for t in plan.targets)
            + "; other projects are not planned."
        )
        lines.append("")
    for change in plan.changes:
        symbol = style(_SYMBOL[change.action], _COLOR[change.action], bold=True)
        title = heading(change)
        if change.live:
            title = title.replace(LIVE_MARK, style(LIVE_MARK, "red", bold=True), 1)
        lines.append(f"  {symbol} {verb(change)} {title}")
        lines.append(style(f"      # {terminal(change.reason)}", "bright_black"))
        lines.extend(f"      {format_field(plan, change, f)}" for f in change.fields)
        if change.action is Action.DELETE:
            lines.extend(style(f"      # {line}", "bright_black") for line in delete_lines(change))
        lines.append("")
    notes = note_lines(plan)
    if notes:
        lines.append("Left alone:")
        lines.extend(f"  {n}" for n in notes)
        lines.append("")
    if plan.recycle_bin:
        lines.append(recycle_bin_line(plan.recycle_bin))
        lines.append("")
    lines.append(style(summary_line(summary_counts(plan)), bold=True))
    lines.extend(style(f"Blocked: {terminal(v)}", "red", bold=True) for v in violations)
    return "\n".join(lines)


# --- JSON -----------------------------------------------------------------------------------------


def render_json(plan: Plan) -> str:
    return json_text(json.dumps(plan_to_json(plan), indent=2, ensure_ascii=False))


# --- Markdown -------------------------------------------------------------------------------------


def render_markdown(
    plan: Plan, *, violations: Sequence[str] = (), limit: int = MARKDOWN_LIMIT
) -> str:
    """Summary table first, details after; over `limit` characters, the table and then the
    details give way to counts and a pointer to the JSON plan file."""
    summary = summary_counts(plan)
    title = f"### {summary_line(summary)}"
    # Last, like the text rendering, so the comment ends with what blocks the plan.
    blocked = [f"> **Blocked:** {markdown_text(v)}" for v in violations]
    table = _table(plan)
    details = _details(plan)
    bin_note = _bin_note(plan)
    for parts in (
        [title, table, bin_note, details, *blocked],
        [title, table, bin_note, _pointer(summary, "details"), *blocked],
        [
            title,
            _counts(summary),
            _live_line(plan),
            _pointer(summary, "table and details"),
            *blocked,
        ],
    ):
        text = "\n\n".join(p for p in parts if p)
        if len(text) <= limit:
            return text
    # Still too long: only very many blocked LIVE projects get here. Keep the last lines, which
    # name the delete limits and --force, and count the rest.
    tail = blocked[-2:]
    omitted = len(blocked) - len(tail)
    middle = [f"> **Blocked:** {omitted} more lines; see the JSON plan file"] if omitted else []
    parts = [title, _counts(summary), _pointer(summary, "table and details"), *middle, *tail]
    text = "\n\n".join(p for p in parts if p)
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def _table(plan: Plan) -> str:
    if not plan.changes:
        return ""
    rows = ["| | Action | Project | Reason |", "| --- | --- | --- | --- |"]
    for change in plan.changes:
        live = f" **{LIVE_MARK}**" if change.live else ""
        where = f"id {change.project_id}" if change.project_id is not None else "new"
        rows.append(
            f"| `{_SYMBOL[change.action]}` | {verb(change)}{live} "
            f"| {markdown_code(change.name)} ({where}) "
            f"| {markdown_text(change.reason)} |"
        )
    return "\n".join(rows)


def _details(plan: Plan) -> str:
    if not plan.changes and not plan.notes:
        return ""
    # A fenced block shows its content literally: inside it, `</details>` is text, and the
    # fence is longer than any run of backticks that could close it.
    body = render_text(plan)
    fence = code_fence(body)
    return f"<details><summary>Details</summary>\n\n{fence}diff\n{body}\n{fence}\n\n</details>"


def _bin_note(plan: Plan) -> str:
    lines = []
    if any(c.action is Action.DELETE for c in plan.changes):
        lines.append(
            f"_A delete moves the project to QuantConnect's Recycle Bin (same id), where it is "
            f"purged after {RECYCLE_BIN_DAYS} days; qcsync saves a backup under "
            f"`{BACKUP_FOLDER}/` first, and `qcsync restore` brings the project back._"
        )
    if plan.recycle_bin:
        lines.append(f"_{recycle_bin_line(plan.recycle_bin)}_")
    return "\n\n".join(lines)


def _counts(summary: Summary) -> str:
    return (
        "| create | update | delete | unchanged |\n| --- | --- | --- | --- |\n"
        f"| {summary.create} | {summary.update} | {summary.delete} | {summary.unchanged} |"
    )


def _live_line(plan: Plan) -> str:
    live = sorted({c.name for c in plan.changes if c.live})
    if not live:
        return ""
    return f"**{LIVE_MARK}** (live trading running): " + ", ".join(markdown_code(n) for n in live)


def _pointer(summary: Summary, left_out: str) -> str:
    projects = "project" if summary.total == 1 else "projects"
    return (
        f"_The {left_out} of the changes to these {summary.total} {projects} are too long for "
        "a comment; "
        "the full plan is in the JSON plan file (`qcsync plan -o PLANFILE`, "
        "then `qcsync show PLANFILE`)._"
    )
