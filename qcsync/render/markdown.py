"""The Markdown rendering of a Plan, for a pull-request comment: the summary table first, the text
plan in a fenced block after, both giving way to counts when the comment would be too long."""

from __future__ import annotations

from collections.abc import Sequence

from qcsync.aspects.project import BACKUP_FOLDER
from qcsync.escape import code_fence, markdown_code, markdown_text
from qcsync.model import RECYCLE_BIN_DAYS
from qcsync.plan import PROJECT, Action, Plan, Summary, summary_counts
from qcsync.render.layout import (
    LIVE_MARK,
    aspect_line,
    block_action,
    blocks,
    recycle_bin_line,
    summary_line,
    symbol,
    verb,
)
from qcsync.render.text import render_text

MARKDOWN_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
MARKDOWN_DIFF_LINES = 40  # diff lines per file in a pull-request comment


def render_markdown(
    plan: Plan, *, violations: Sequence[str] = (), limit: int = MARKDOWN_LIMIT
) -> str:
    """Summary table first, details after; over `limit` characters, the table and then the
    details give way to counts and a pointer to the JSON plan file."""
    summary = summary_counts(plan)
    title = f"### {summary_line(summary)}"
    by_aspect = aspect_line(summary)
    # Last, like the text rendering, so the comment ends with what blocks the plan.
    blocked = [f"> **Blocked:** {markdown_text(v)}" for v in violations]
    table = _table(plan)
    spare = limit - len(table) - len(render_text(plan, diff_lines=0, diff_chars=0)) - 2_000
    details = _details(plan, max(0, spare))
    bin_note = _bin_note(plan)
    for parts in (
        [title, by_aspect, table, bin_note, details, *blocked],
        [title, by_aspect, table, bin_note, _pointer(summary, "details"), *blocked],
        [
            title,
            by_aspect,
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
    parts = [
        title,
        by_aspect,
        _counts(summary),
        _pointer(summary, "table and details"),
        *middle,
        *tail,
    ]
    text = "\n\n".join(p for p in parts if p)
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def _table(plan: Plan) -> str:
    if not plan.changes:
        return ""
    rows = ["| | Action | Project | Reason |", "| --- | --- | --- | --- |"]
    for change, _ in blocks(plan):
        live = f" **{LIVE_MARK}**" if change.live else ""
        where = f"id {change.project_id}" if change.project_id is not None else "new"
        rows.append(
            f"| `{symbol(block_action(change))}` | {verb(change)}{live} "
            f"| {markdown_code(change.name)} ({where}) "
            f"| {markdown_text(change.reason)} |"
        )
    return "\n".join(rows)


def _details(plan: Plan, diff_chars: int) -> str:
    if not plan.changes and not plan.notes:
        return ""
    # A fenced block shows its content literally: inside it, `</details>` is text, and the
    # fence is longer than any run of backticks that could close it.
    # The diffs get what the 60,000 characters leave after the table and the rest of the plan.
    body = render_text(plan, diff_lines=MARKDOWN_DIFF_LINES, diff_chars=diff_chars)
    fence = code_fence(body)
    return f"<details><summary>Details</summary>\n\n{fence}diff\n{body}\n{fence}\n\n</details>"


def _bin_note(plan: Plan) -> str:
    lines = []
    if any(c.aspect == PROJECT and c.action is Action.DELETE for c in plan.changes):
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
