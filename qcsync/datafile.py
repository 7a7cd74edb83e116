"""Reading the JSON files qcsync treats as data: saved plans, backups, the CLI's credentials.

Such a file may come from a CI artifact anyone with write access can edit, so it is bounded
before it is parsed: a regular file (a device or pipe would never end), at most `max_bytes`, and
nested at most MAX_DEPTH levels (Python's json recurses once per level, so a 100,000-deep
document would end in RecursionError). Each refusal is one line naming the file.
"""

from __future__ import annotations

import json
import os
import re
import stat
from itertools import accumulate
from pathlib import Path
from typing import Any, Final

from qcsync.errors import QcsyncError

MAX_DEPTH: Final = 64  # qcsync's own documents nest 6 levels at most
MAX_BYTES: Final = 64 * 1024 * 1024
_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS: Final = re.compile(r"[\[\]{}]")


class DataFileError(QcsyncError):
    """A data file that cannot be read, is too large or too deep, or is not JSON."""


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of a JSON text nest (brackets inside strings ignored)."""
    steps = [1 if b in "[{" else -1 for b in _BRACKETS.findall(_STRING.sub("", text))]
    return max(accumulate(steps), default=0)


def parse_json(data: bytes, where: str, what: str, *, max_depth: int = MAX_DEPTH) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DataFileError(f"{where} is not {what}: not UTF-8 text") from None
    depth = json_depth(text)
    if depth > max_depth:
        raise DataFileError(
            f"{where} is not {what}: nested {depth} levels deep (at most {max_depth})"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(f"{where} is not {what}: {error}") from None


def read_json(
    path: Path, what: str, *, max_bytes: int | None = None, max_depth: int = MAX_DEPTH
) -> Any:
    """The JSON value in `path`, `what` naming it in messages ("a qcsync plan file")."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    try:
        # Checked before opening: opening a named pipe blocks until someone writes to it.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise DataFileError(f"{path} is not {what}: not a regular file")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise DataFileError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise DataFileError(f"{path} is not {what}: larger than {max_bytes // (1024 * 1024)} MiB")
    return parse_json(data, str(path), what, max_depth=max_depth)
