"""``files/patch``: apply a unified diff (``git diff`` output) to a project's files.

qc-api.md §4.8: the patch must match the files' content exactly. Inferred: it is applied to
every file it names or to none; it may only change existing files (no ``/dev/null`` side, no
rename); hunks must be in order and their line counts must match their headers.
"""

from __future__ import annotations

import re

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_NO_NEWLINE = "\\"

Hunk = tuple[int, int, list[tuple[str, str]]]  # old start, old count, (op, line with ending)


def _path(line: str, prefix: str) -> str:
    path = line[4:].split("\t", 1)[0].strip()
    if path == "/dev/null":
        raise ValueError("files/patch can only change existing files")
    return path[2:] if path.startswith(prefix) else path


def _hunk(lines: list[str], at: int) -> tuple[Hunk, int]:
    match = _HUNK.match(lines[at])
    if match is None:
        raise ValueError(f"Bad hunk header: {lines[at][:80]}")
    old_start, new_start = int(match.group(1)), int(match.group(3))
    old_count = 1 if match.group(2) is None else int(match.group(2))
    new_count = 1 if match.group(4) is None else int(match.group(4))
    body: list[tuple[str, str]] = []
    at += 1
    olds = news = 0
    while at < len(lines) and (olds < old_count or news < new_count):
        line = lines[at]
        op = line[:1] or " "
        if op not in " -+":
            break
        body.append((op, line[1:] + "\n"))
        olds += op != "+"
        news += op != "-"
        at += 1
        if at < len(lines) and lines[at].startswith(_NO_NEWLINE):
            body[-1] = (op, body[-1][1][:-1])
            at += 1
    if (olds, news) != (old_count, new_count):
        raise ValueError(f"A hunk's lines do not match its header (new start {new_start})")
    return (old_start, old_count, body), at


def parse_patch(patch: str) -> list[tuple[str, list[Hunk]]]:
    """The files a patch changes, in order, each with its hunks."""
    lines = patch.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    sections: list[tuple[str, list[Hunk]]] = []
    at = 0
    while at < len(lines):
        line = lines[at]
        if line.startswith("--- ") and at + 1 < len(lines) and lines[at + 1].startswith("+++ "):
            old, new = _path(line, "a/"), _path(lines[at + 1], "b/")
            if old != new:
                raise ValueError(f"files/patch cannot rename files ({old} -> {new})")
            sections.append((old, []))
            at += 2
        elif line.startswith("@@"):
            if not sections:
                raise ValueError("A hunk comes before any ---/+++ file header")
            hunk, at = _hunk(lines, at)
            sections[-1][1].append(hunk)
        else:
            at += 1  # diff --git, index, mode lines and the like
    if not sections or not any(hunks for _, hunks in sections):
        raise ValueError("The patch changes no file")
    return sections


def _apply(name: str, text: str, hunks: list[Hunk]) -> str:
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    for old_start, old_count, body in hunks:
        start = old_start if old_count == 0 else old_start - 1
        expected = [line for op, line in body if op != "+"]
        if start < position or lines[start : start + len(expected)] != expected:
            raise ValueError(f"The patch does not apply to '{name}' at line {old_start}")
        out.extend(lines[position:start])
        out.extend(line for op, line in body if op != "-")
        position = start + len(expected)
    out.extend(lines[position:])
    return "".join(out)


def apply_patch(files: dict[str, str], patch: str) -> dict[str, str]:
    """The new content of each file the patch changes; ``files`` maps names to content."""
    changed: dict[str, str] = {}
    for name, hunks in parse_patch(patch):
        if name not in files:
            raise ValueError(f"File not found: {name}")
        changed[name] = _apply(name, changed.get(name, files[name]), hunks)
    return changed
