"""Located YAML data: where each value and key of a document was written, and how a problem
found in it is reported (`FILE:LINE:COL: PATH: message`).

The config modules after YAML reading (variables, schemacheck, merging) get a Document and ask
it where a path was written; they never see the parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from qcsync.errors import ConfigIssue
from qcsync.model import Location

# A path inside a document: mapping keys and sequence indexes from the root.
Path = tuple[str | int, ...]


class Mark(Protocol):
    """A parser position (PyYAML's and libyaml's marks both have these, 0-based)."""

    line: int
    column: int


@dataclass(frozen=True)
class Document:
    """One file's data, and where each value and each mapping key was written."""

    file: str
    data: Any
    values: Mapping[Path, tuple[int, int]]  # 1-based (line, column) of each value
    keys: Mapping[Path, tuple[int, int]]  # ... and of each mapping key, by the key's path

    def locate(self, path: Path) -> Location:
        """Where the value at `path` was written, or its nearest located ancestor (values
        reached through an alias are located at the alias)."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return Location(self.file, *found)
        return Location(self.file, 1, 1)

    def locate_key(self, path: Path) -> Location:
        """Where the mapping key that ends `path` was written (falls back to its value)."""
        found = self.keys.get(path)
        return Location(self.file, *found) if found else self.locate(path)


class YamlSourceError(Exception):
    """The bytes are not one safe YAML document; carries the issues to report."""

    def __init__(self, *issues: ConfigIssue) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


def issue_at(file: str, mark: Mark, message: str, path: Path = ()) -> ConfigIssue:
    """A problem at a parser mark (0-based), reported 1-based."""
    return ConfigIssue(file, mark.line + 1, mark.column + 1, format_path(path), message)


def format_path(path: Path) -> str:
    """`('projects', 2, 'language')` -> `projects[2].language`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
