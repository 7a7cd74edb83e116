"""The emulator's state on disk: a JSON snapshot plus an append-only journal of changes since it.

A write appends one line to ``<state>.journal`` (cost independent of how many projects there
are); loading replays the journal over the snapshot, and the pair is compacted into a fresh
snapshot on load, on close and whenever the journal outgrows the snapshot (so a long-running
emulator's journal stays bounded and the amortized cost of a write stays constant).

Crash safety: the snapshot is replaced atomically (temporary file + ``os.replace``), and each
snapshot carries a random ``generation`` that the journal's first line repeats. A journal whose
generation differs from the snapshot's is stale (a crash between writing the snapshot and
removing the journal, or a snapshot deleted by hand to start afresh) and is ignored. A torn last
line (a crash in the middle of an append) is dropped; a broken line before it is an error.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qcsync.emulator.jsonfile import loads, read_text

# Compact once the journal is this much larger than the snapshot (and at least this large).
_GROWTH_FACTOR = 2
_MIN_COMPACT_BYTES = 4 * 1024 * 1024


def journal_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".journal")


class Journal:
    """Reads and writes one snapshot/journal pair. Not thread-safe: the store's lock guards it."""

    def __init__(self, state_path: Path) -> None:
        self.path = state_path
        self.log = journal_path(state_path)
        self._generation = ""
        self._snapshot_bytes = 0
        self._log_bytes = 0
        self._entries = 0

    def exists(self) -> bool:
        return self.path.exists()

    @property
    def pending(self) -> int:
        """How many changes the journal holds beyond the snapshot (compact when non-zero)."""
        return self._entries

    def read(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The snapshot and the journal entries that belong to it, oldest first."""
        text = read_text(self.path)
        snapshot = loads(text, str(self.path))
        if not isinstance(snapshot, dict):
            raise ValueError(f"{self.path}: not a JSON object")
        self._generation = str(snapshot.get("generation") or "")
        self._snapshot_bytes = len(text)
        entries = self._read_log() if self._generation else []
        if not entries:
            # Stale, torn or empty: drop it now so no later append lands after a torn line.
            self.log.unlink(missing_ok=True)
            self._log_bytes = 0
        self._entries = len(entries)
        return snapshot, entries

    def _read_log(self) -> list[dict[str, Any]]:
        try:
            text = read_text(self.log)
        except FileNotFoundError:
            return []
        lines = text.split("\n")
        lines.pop()  # "" after the final newline; a torn line when an append was cut short
        try:
            header = loads(lines[0], str(self.log)) if lines else {}
        except json.JSONDecodeError:
            return []  # torn header: nothing after it was written
        if not isinstance(header, dict) or header.get("generation") != self._generation:
            return []  # stale: written for another snapshot
        entries = []
        for number, line in enumerate(lines[1:], start=2):
            try:
                entry = loads(line, f"{self.log}: line {number}")
            except json.JSONDecodeError:
                raise ValueError(f"{self.log}: line {number} is not JSON") from None
            if not isinstance(entry, dict):
                raise ValueError(f"{self.log}: line {number} is not a JSON object")
            entries.append(entry)
        self._log_bytes = len(text)
        return entries

    def write_snapshot(self, state: Mapping[str, Any]) -> None:
        """Replace the snapshot atomically with ``state`` and start an empty journal."""
        self._generation = secrets.token_hex(8)
        text = json.dumps({**state, "generation": self._generation}, separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=self.path.name + ".", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        # The new generation already makes the old journal stale; removing it is tidiness.
        self.log.unlink(missing_ok=True)
        self._snapshot_bytes = len(text)
        self._log_bytes = 0
        self._entries = 0

    def append(self, entry: Mapping[str, Any]) -> bool:
        """Add one change; True when the journal has grown enough to be worth compacting."""
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        if self._log_bytes == 0:
            line = json.dumps({"generation": self._generation}) + "\n" + line
        # Opened per append: no handle outlives the call, and every line is flushed at once.
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(line)
        self._log_bytes += len(line)
        self._entries += 1
        limit = max(_MIN_COMPACT_BYTES, _GROWTH_FACTOR * self._snapshot_bytes)
        return self._log_bytes > limit
