"""A project's code on disk: which files of a folder are the project's, read and checked.

DESIGN.md §1.1 `files:`: every file below the folder whose extension QuantConnect accepts,
named by its path relative to the folder with `/`; dot-folders and the folders QuantConnect's
own CLI skips are skipped at any depth, and so is whatever an `exclude` glob matches (`*` stays
inside one folder, `**` crosses folders). Files are UTF-8 text of at most 262,144 bytes. The
same name rules decide which cloud files are managed (`manages`), so a file that could never be
uploaded is never deleted either.

Line endings never count as a change (`same_text`): a CRLF checkout of LF files plans nothing.
What is uploaded is the bytes on disk as they are, so after an apply the cloud holds the folder
byte for byte. Pure: config/codescan.py reads the folders with these rules.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from qcsync.model import DesiredProject

EXTENSIONS: Final = (".py", ".cs", ".ipynb", ".html", ".css")
# What QuantConnect's CLI skips (lean-cli path_manager and push), at any depth; dot-folders too.
SKIPPED_FOLDERS: Final = frozenset(
    {"__pycache__", "bin", "obj", "backtests", "live", "optimizations", "storage", "report"}
)
MAX_FILE_BYTES: Final = 256 * 1024  # QuantConnect's largest per-file quota (qc-api.md §4.8)


@dataclass(frozen=True)
class FilesSpec:
    """`files:` of one entry: the folder (as written, and resolved against its config file)
    and the `exclude` globs."""

    written: str
    exclude: tuple[str, ...] = ()


def spec_of(entry: DesiredProject) -> FilesSpec | None:
    """An entry's `files:` (a path, or {path, exclude}) as written; None when it has none."""
    raw = entry.written.get("files")
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        path, exclude = str(raw.get("path", "")), tuple(str(g) for g in raw.get("exclude") or ())
    else:
        path, exclude = str(raw), ()
    return FilesSpec(path, exclude)


def sha256_text(text: str) -> str:
    """The sha256 of text as the cloud holds it (its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def same_text(a: str, b: str) -> bool:
    """Equal but for line endings (CRLF or a lone CR against LF)."""
    return a == b or normalized(a) == normalized(b)


def normalized(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """`*` and `?` stay inside one folder; `**` (a whole path part) matches any folders, none
    included; `[...]` is a character class; anything else is literal."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append(f"[{'^' if negate else ''}{re.escape(body)}]".replace("\\-", "-"))
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def excluded(name: str, exclude: Sequence[str]) -> bool:
    """Whether a glob of `exclude` matches the whole relative path, or a folder above it (so
    `research/` and `research` both leave out everything under `research`)."""
    parts = name.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    for pattern in exclude:
        pattern = pattern.strip("/") if pattern.endswith("/") else pattern
        regex = _glob(pattern)
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            return True
    return False


def skipped_folder(part: str) -> bool:
    return part.startswith(".") or part in SKIPPED_FOLDERS


def manages(name: str, exclude: Sequence[str]) -> bool:
    """Whether a file of this name (folder-relative, `/`) is the project's code under these
    rules: an accepted extension, no skipped folder on its path, not excluded."""
    parts = name.split("/")
    if any(skipped_folder(p) for p in parts[:-1]):
        return False
    return name.endswith(EXTENSIONS) and not excluded(name, exclude)
