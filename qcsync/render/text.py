"""The text renderings of a Plan, for terminals and logs: the full plan (`qcsync plan`) and the
one-line-per-change form (`plan --compact`), each ending with its counts and what blocks it."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import click

from qcsync.aspects.files import DIFF_CHARS, DIFF_LINES
from qcsync.escape import terminal
from qcsync.plan import PROJECT, Action, Change, Plan, Summary, count_projects, summary_counts
from qcsync.render.layout import (
    LIVE_MARK,
    aspect_line,
    block_action,
    blocks,
    colour,
    heading,
    note_lines,
    recycle_bin_line,
    shown,
    summary_line,
    symbol,
    verb,
)
from qcsync.textdiff import budgeted

BIG_PLAN = 40  # blocks past which the text plan ends with its counts per folder
FOLDERS_LISTED = 10  # folders listed before "and N more folders"


def render_text(
    plan: Plan,
    *,
    color: bool = False,
    violations: Sequence[str] = (),
    diff_lines: int = DIFF_LINES,
    diff_chars: int = DIFF_CHARS,
) -> str:
    """`diff_lines` per file and `diff_chars` in all bound the file diffs shown; each trimmed
    diff says how many lines it left out (the plan file has them all)."""
    with budgeted(diff_lines, diff_chars):
        return _render_text(plan, color=color, violations=violations)


def _render_text(plan: Plan, *, color: bool, violations: Sequence[str]) -> str:
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
    for change, members in blocks(plan):
        action = block_action(change)
        mark = style(symbol(action), colour(action), bold=True)
        title = heading(change)
        if change.live:
            title = title.replace(LIVE_MARK, style(LIVE_MARK, "red", bold=True), 1)
        lines.append(f"  {mark} {verb(change)} {title}")
        lines.append(style(f"      # {terminal(change.reason)}", "bright_black"))
        if change.aspect == PROJECT and change.action is Action.DELETE:
            lines.append(f"      {holds_line(plan, change)}")
        for line in (line for member in members for line in shown(plan, member)):
            # An aspect's lines that start with "# " are comments, styled like the reason.
            lines.append(style(f"      {line}", "bright_black" if line.startswith("# ") else None))
        lines.append("")
    notes = note_lines(plan)
    if notes:
        lines.append("Left alone:")
        lines.extend(f"  {n}" for n in notes)
        lines.append("")
    if plan.recycle_bin:
        lines.append(recycle_bin_line(plan.recycle_bin))
        lines.append("")
    summary = summary_counts(plan)
    if len(blocks(plan)) > BIG_PLAN:
        # The end of a long plan is what stays on the screen: make it the whole story.
        lines.extend(folder_lines(plan))
        lines.append("(`qcsync plan --compact` shows one line per change.)")
        lines.append("")
    lines.extend(_closing(plan, summary, style, violations))
    return "\n".join(lines)


def _closing(
    plan: Plan, summary: Summary, style: Callable[..., str], violations: Sequence[str]
) -> list[str]:
    lines: list[str] = []
    if summary.by_aspect:  # before the closing line, which stays last as in Terraform
        lines.append(aspect_line(summary))
    lines.append(style(summary_line(summary), bold=True))
    lines.extend(style(f"Blocked: {terminal(v)}", "red", bold=True) for v in violations)
    return lines


def holds_line(plan: Plan, change: Change) -> str:
    """What a delete takes away: language, file count, description and whether it trades live."""
    parts = [terminal(str(change.old("language") or "?"))]
    files = plan.file_counts.get(change.project_id or -1)
    if files is not None:
        parts.append(f"{files} file{'' if files == 1 else 's'}")
    description = change.old("description")
    parts.append(
        f"description {terminal(json.dumps(description, ensure_ascii=False))}"
        if description
        else "no description"
    )
    if change.live:
        parts.append(f"{LIVE_MARK}: live trading running")
    return "holds: " + ", ".join(parts)


def folder_of(name: str) -> str:
    return name.rsplit("/", 1)[0] + "/" if "/" in name else "(top level)"


def folder_lines(plan: Plan, limit: int = FOLDERS_LISTED) -> list[str]:
    """The plan's counts per folder, the busiest first, at most `limit` lines and a last one for
    the rest, so a plan of thousands of projects still ends on one screen."""
    by_folder: dict[str, list[Change]] = {}
    for change in plan.changes:
        by_folder.setdefault(folder_of(change.name), []).append(change)
    counted = sorted(
        ((folder, count_projects(changes)) for folder, changes in by_folder.items()),
        key=lambda item: (-item[1].total, item[0]),
    )
    lines = ["By folder:"]
    for folder, summary in counted[:limit]:
        counts = ", ".join(
            f"{n} to {action}"
            for n, action in (
                (summary.create, "create"),
                (summary.update, "update"),
                (summary.delete, "delete"),
            )
            if n
        )
        lines.append(f"  {terminal(folder)}: {counts or 'content only'}")
    if len(counted) > limit:
        rest = [summary for _, summary in counted[limit:]]
        total = sum(s.total for s in rest)
        lines.append(f"  and {len(rest)} more folders: {total} projects")
    return lines


def render_compact(plan: Plan, *, color: bool = False, violations: Sequence[str] = ()) -> str:
    """`plan --compact`: one line per project block, then the counts per folder."""

    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if color else text

    lines: list[str] = []
    if plan.targets:
        lines.append("Limited to --target " + ", ".join(terminal(t) for t in plan.targets) + ".")
    for change, members in blocks(plan):
        mark = style(symbol(change.action), colour(change.action), bold=True)
        title = heading(change)
        if change.live:
            title = title.replace(LIVE_MARK, style(LIVE_MARK, "red", bold=True), 1)
        lines.append(f"  {mark} {verb(change)} {title}{_compact_detail(plan, change, members)}")
    if plan.changes:
        lines.append("")
        lines.extend(folder_lines(plan))
    notes = note_lines(plan)
    if notes:
        lines.append("")
        lines.append("Left alone:")
        lines.extend(f"  {n}" for n in notes)
    lines.append("")
    lines.extend(_closing(plan, summary_counts(plan), style, violations))
    return "\n".join(lines)


def _compact_detail(plan: Plan, change: Change, members: Sequence[Change]) -> str:
    if change.aspect == PROJECT and change.action is Action.DELETE:
        return ": " + holds_line(plan, change).removeprefix("holds: ")
    fields: list[str] = []
    for member in members:
        if member.aspect == PROJECT:
            fields.extend(k for k in ("name", "description") if member.new(k) is not None)
            if member.action is Action.UPDATE and member.is_rename:
                fields[fields.index("name")] = f"from '{terminal(str(member.old('name')))}'"
        else:
            fields.append(member.aspect)
    if change.aspect == PROJECT and change.action is Action.CREATE:
        fields = [f for f in fields if f not in ("name", "description")]
    return f": {', '.join(fields)}" if fields else ""
