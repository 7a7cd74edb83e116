"""Renderings of one Plan: text for terminals and logs, JSON for files and CI, Markdown for PRs.

Each renderer returns a string; printing is the CLI's job. Every rendering marks LIVE projects and
ends with the safety violations it is given (DESIGN.md §3, §4). Everything that came from the API
or a config (names, descriptions, node names, reasons quoting them) goes through `escape` for its
medium: no control character reaches a terminal, nothing ends a Markdown span, cell or block.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import assert_never

import click

from qcsync.aspects import aspect_of
from qcsync.aspects.files import DIFF_CHARS, DIFF_LINES
from qcsync.aspects.project import BACKUP_FOLDER
from qcsync.escape import code_fence, json_text, markdown_code, markdown_text, terminal
from qcsync.model import RECYCLE_BIN_DAYS
from qcsync.plan import PROJECT, Action, Change, Plan, Summary, count_projects, summary_counts
from qcsync.plandoc import plan_to_json
from qcsync.textdiff import budgeted

LIVE_MARK = "LIVE"
MARKDOWN_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
NOTES_LISTED = 10  # names listed per note reason before "and N more"
BIG_PLAN = 40  # blocks past which the text plan ends with its counts per folder
FOLDERS_LISTED = 10  # folders listed before "and N more folders"
MARKDOWN_DIFF_LINES = 40  # diff lines per file in a pull-request comment


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


# --- text -----------------------------------------------------------------------------------------


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
