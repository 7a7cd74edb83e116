"""Bounded JSON reading for the emulator's files (state, journal, seed) and request bodies.

A hand-edited or hostile file must end in one line naming it, not in RecursionError: Python's
json recurses once per nesting level. The emulator imports nothing from the rest of qcsync, so it
has its own few lines for this.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 1024 * 1024 * 1024  # a 5,000-project seed with files is a few MB


def loads(text: str, where: str) -> Any:
    """`json.loads`, with a document nested too deeply for Python refused as a ValueError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"{where}: nested too deeply to be read") from None


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"{path}: larger than {max_bytes // (1024 * 1024)} MiB")
    return data.decode("utf-8")
