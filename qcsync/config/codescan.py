"""Reading `files:` folders with the rules of codefolder.py, at config load (so `validate`,
`plan` and a saved plan's re-check all see the folder as it is, with no network).

Every problem is reported at once, at the entry that declares the folder: a folder that is
missing or holds no code file (never "delete everything"), a file that is not UTF-8 text or is
larger than QuantConnect's largest per-file quota, a file that can't be read, and a file that
holds the API token (the token rule: a plan's file diffs are posted to pull requests).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

from qcsync.codefolder import EXTENSIONS, MAX_FILE_BYTES, manages, skipped_folder, spec_of
from qcsync.errors import ConfigError, ConfigIssue
from qcsync.model import DesiredProject, DesiredState, LocalFile


class FolderProblem(Exception):
    """Why a folder can't be a project's code: one line per problem, naming the file."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def folder_spec(entry: DesiredProject) -> tuple[str, Path, tuple[str, ...]] | None:
    """`files:` of an entry: the folder as written, resolved against its config file, and the
    `exclude` globs; None when the entry declares none."""
    spec = spec_of(entry)
    if spec is None:
        return None
    return spec.written, Path(entry.location.file).parent / spec.written, spec.exclude


def with_code(desired: DesiredState, tokens: Collection[str] = ()) -> DesiredState:
    """The desired state with every declared folder read; ConfigError lists every problem.
    `tokens`: the API tokens no code file may contain (config.variables.api_tokens)."""
    issues: list[ConfigIssue] = []
    projects: list[DesiredProject] = []
    for entry in desired.projects:
        spec = folder_spec(entry)
        if spec is None:
            projects.append(entry)
            continue
        try:
            projects.append(replace(entry, code=scan(spec[1], spec[2], tokens=tokens)))
        except FolderProblem as problem:
            loc = entry.location
            issues.extend(
                ConfigIssue(loc.file, loc.line, loc.column, entry.name, p) for p in problem.problems
            )
    if issues:
        raise ConfigError(issues)
    return replace(desired, projects=tuple(projects))


def scan(
    folder: Path,
    exclude: Sequence[str] = (),
    where: str = "",
    *,
    tokens: Collection[str] = (),
) -> tuple[LocalFile, ...]:
    """The folder's files under the rules above, sorted by name; FolderProblem lists every
    problem at once (missing folder, no file, not UTF-8, too large, unreadable, holding one of
    `tokens`)."""
    label = f"{where}: " if where else ""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise FolderProblem([f"{label}files: folder {folder} {what}"])
    problems: list[str] = []
    found: list[LocalFile] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        # Pruned in place so that os.walk never enters them; sorted for a stable order.
        dirs[:] = sorted(d for d in dirs if not skipped_folder(d))
        relative = Path(root).relative_to(folder).as_posix()
        for filename in sorted(names):
            name = filename if relative == "." else f"{relative}/{filename}"
            if not manages(name, exclude):
                continue
            path = Path(root) / filename
            try:
                size = path.stat().st_size
                data = b"" if size > MAX_FILE_BYTES else path.read_bytes()
            except OSError as error:
                problems.append(f"{label}files: {name}: cannot be read ({error.strerror})")
                continue
            if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
                problems.append(
                    f"{label}files: {name} is {max(size, len(data)):,} bytes, over "
                    f"QuantConnect's {MAX_FILE_BYTES:,} bytes per file"
                )
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                problems.append(
                    f"{label}files: {name} is not UTF-8 text (byte {error.start} cannot be decoded)"
                )
                continue
            line = _token_line(text, tokens)
            if line is not None:
                # Named by file and line, never quoted: the message itself reaches a PR comment.
                problems.append(
                    f"{label}files: {name}:{line} contains the API token; a plan shows file "
                    "diffs in pull requests, so no code file may hold it (read it from the "
                    "environment or QuantConnect's object store instead)"
                )
                continue
            found.append(LocalFile(name, text, hashlib.sha256(data).hexdigest()))
    if not found and not problems:
        accepted = ", ".join(EXTENSIONS)
        problems.append(
            f"{label}files: folder {folder} holds no file QuantConnect accepts ({accepted}); "
            "an empty folder is never taken to mean 'delete every file'"
        )
    if problems:
        raise FolderProblem(problems)
    return tuple(sorted(found, key=lambda f: f.name))


def _token_line(text: str, tokens: Collection[str]) -> int | None:
    """The 1-based line of the first token in `text`, or None when it holds none."""
    first = min((i for i in (text.find(t) for t in tokens) if i >= 0), default=-1)
    return None if first < 0 else text.count("\n", 0, first) + 1
