"""The work a YAML document may cause, bounded: alias expansion and nesting depth are capped,
so an alias bomb is refused in milliseconds rather than expanded, and a document built to
exhaust the stack of whatever walks it later is refused at the level that goes too deep.

(The size of a file is capped where it is read: `config.loading.MAX_CONFIG_BYTES`.)
"""

from __future__ import annotations

from typing import Final

from qcsync.config.located import Mark, Path, YamlSourceError, issue_at

# Aliases may repeat at most this many values in total. Real configs alias a node list or a
# few project settings; an alias bomb needs millions.
MAX_ALIAS_EXPANSION: Final = 100_000
# Nesting depth of collections. A qcsync config is five levels deep; the cap stops documents
# built to exhaust the stack of whatever walks them later.
MAX_DEPTH: Final = 64


def too_deep(file: str, mark: Mark) -> YamlSourceError:
    """The error for a collection that starts MAX_DEPTH levels down."""
    return YamlSourceError(issue_at(file, mark, f"nested deeper than {MAX_DEPTH} levels"))


class AliasBudget:
    """How many values the aliases of one document have repeated so far."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.expanded = 0

    def spend(self, size: int, mark: Mark, path: Path) -> None:
        """Count an alias that repeats `size` values; refuse the document past the cap."""
        self.expanded += size
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise YamlSourceError(
                issue_at(
                    self.file,
                    mark,
                    f"aliases expand to more than {MAX_ALIAS_EXPANSION} values; refusing the "
                    "document (an alias bomb?)",
                    path,
                )
            )
