"""YAML parser events -> plain data and the location of every value and key.

The composer builds dicts, lists and scalars straight from the parser's events, iteratively,
and records where each was written. It refuses duplicate keys instead of letting the last one
win (reporting them all together), refuses keys that are not plain strings, applies YAML merge
keys (`<<`, earlier sources winning), and keeps to the limits of yamllimits.py. Scalars are
typed by yamlscalars.py.
"""

from __future__ import annotations

from typing import Any, Final

from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from qcsync.config.located import Document, Mark, Path, YamlSourceError, format_path, issue_at
from qcsync.config.yamllimits import MAX_DEPTH, AliasBudget, too_deep
from qcsync.config.yamlscalars import (
    MAP_TAG,
    MAYBE_TYPED,
    SEQ_TAG,
    plain,
    scalar,
    short_tag,
    start_of,
    tagged,
)
from qcsync.errors import ConfigIssue

# A key that cannot occur in text (NUL bytes are refused before parsing): its value is composed
# and located apart, then dropped.
_DISCARD: Final = "\0discarded"


class _MergeKey(str):
    """The YAML merge key `<<`, kept apart from a quoted "<<"."""

    __slots__ = ()


_MERGE_KEY: Final = _MergeKey("<<")

# What is kept of a collection's parent while the collection is filled: the parent's entries,
# path, whether it is a mapping and the key the collection will be stored under; then the
# collection's own anchor, position and the count of values composed before it began.
_Parent = tuple[Any, Path, bool, Any, str | None, tuple[int, int], int]


class Composer:
    """Builds plain data straight from parser events, iteratively (no recursion limit to hit).

    The loop runs once per key/value pair or list item, so a 50,000-project file takes it
    400,000 times: the collection being filled lives in local variables, a key and its value
    are read in one pass, and only values that might not be plain text leave the loop.
    """

    def __init__(self, file: str, loader: Any) -> None:
        self.file = file
        self.loader = loader
        self.values: dict[Path, tuple[int, int]] = {}
        self.keys: dict[Path, tuple[int, int]] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.aliases = AliasBudget(file)
        # Each plain key spelling resolved once (the same few recur in every entry); `<<` is
        # the merge key only when plain.
        self.plain_keys: dict[str, Any] = {"<<": _MERGE_KEY}
        # Merged-in entries of the mappings being filled that have a `<<`, by id of the mapping.
        self.merged: dict[int, dict[str, Any]] = {}
        # Problems that do not stop composing (duplicate keys): reported together at the end.
        self.issues: list[ConfigIssue] = []

    def _issue(self, mark: Mark, message: str, path: Path = ()) -> ConfigIssue:
        return issue_at(self.file, mark, message, path)

    def _fail(self, mark: Mark, message: str, path: Path = ()) -> YamlSourceError:
        return YamlSourceError(self._issue(mark, message, path))

    def document(self) -> Document:
        get_event = self.loader.get_event
        event = get_event()
        assert isinstance(event, StreamStartEvent)
        event = get_event()
        if isinstance(event, StreamEndEvent):
            raise YamlSourceError(
                ConfigIssue(self.file, 1, 1, "", "empty file; expected a mapping with 'version: 1'")
            )
        assert isinstance(event, DocumentStartEvent)
        root = self._compose(get_event)
        end = get_event()
        assert isinstance(end, DocumentEndEvent)
        after = get_event()
        if not isinstance(after, StreamEndEvent):
            raise self._fail(
                start_of(after), "a second YAML document; a config file holds exactly one"
            )
        if self.issues:
            raise YamlSourceError(*self.issues)
        return Document(self.file, root, self.values, self.keys)

    def _compose(self, get_event: Any) -> Any:
        """Compose the document's root node."""
        values = self.values
        keys = self.keys
        anchors = self.anchors
        plain_keys = self.plain_keys
        maybe_typed = MAYBE_TYPED
        stack: list[_Parent] = []
        # The collection being filled (None until the root is a collection): its entries, its
        # path, whether it is a mapping, and in a mapping the key of the value being composed.
        entries: Any = None
        where: Path = ()
        mapping = False
        key: Any = None
        count = 0  # values composed so far, an alias counting as all the values it repeats
        while True:
            event = get_event()
            cls = type(event)
            if cls is MappingEndEvent or cls is SequenceEndEvent:
                value = entries
                if self.merged:
                    merged = self.merged.pop(id(value), None)
                    if merged is not None:
                        value = {**merged, **value}
                entries, where, mapping, key, anchor, location, before = stack.pop()
                if anchor is not None:
                    anchors[anchor] = (value, count - before)
                if entries is None:
                    return value
            else:
                if mapping:
                    # The common key, inline: a plain spelling already seen that resolved to
                    # text, not yet in this mapping. Anything else takes _key.
                    key = plain_keys.get(event.value) if cls is ScalarEvent else None
                    if (
                        type(key) is str
                        and event.tag is None
                        and event.implicit[0]
                        and key not in entries
                    ):
                        path = where + (key,)  # noqa: RUF005 - faster than unpacking, here
                        mark = event.start_mark
                        keys[path] = (mark.line + 1, mark.column + 1)
                    else:
                        key, path = self._key(event, where, entries, plain_keys, keys)
                    event = get_event()
                    cls = type(event)
                elif entries is None:
                    path = ()
                else:
                    path = where + (len(entries),)  # noqa: RUF005
                mark = event.start_mark
                location = (mark.line + 1, mark.column + 1)
                values[path] = location
                if cls is ScalarEvent:
                    value = event.value
                    tag = event.tag
                    if tag is not None and tag != "!":
                        value = tagged(self.file, event, path)
                    elif event.implicit[0] and (not value or value[0] in maybe_typed):
                        value = plain(self.file, event, path)
                    count += 1
                    if event.anchor is not None:
                        anchors[event.anchor] = (value, 1)
                    if entries is None:
                        return value
                elif cls is MappingStartEvent or cls is SequenceStartEvent:
                    if len(stack) >= MAX_DEPTH:
                        raise too_deep(self.file, mark)
                    tag = event.tag
                    if (
                        tag is not None
                        and tag != "!"
                        and tag != (MAP_TAG if cls is MappingStartEvent else SEQ_TAG)
                    ):
                        raise self._fail(mark, f"tag {short_tag(tag)} is not allowed here", path)
                    stack.append((entries, where, mapping, key, event.anchor, location, count))
                    count += 1
                    mapping = cls is MappingStartEvent
                    entries = {} if mapping else []
                    where = path
                    continue
                elif cls is AliasEvent:
                    value, size = self._alias(event, path)
                    count += size
                else:  # pragma: no cover - the parser guarantees the event order
                    raise self._fail(mark, f"unexpected YAML event {event!r}")
            if not mapping:
                entries.append(value)
            elif key is _MERGE_KEY:
                self._merge(entries, where, value, location)
            elif key is not _DISCARD:
                entries[key] = value

    def _key(
        self,
        event: Event,
        where: Path,
        entries: dict[str, Any],
        plain_keys: dict[str, Any],
        keys: dict[Path, tuple[int, int]],
    ) -> tuple[Any, Path]:
        """The key a mapping entry's value is stored under (or _DISCARD, or _MERGE_KEY) and
        the value's path; records where the key was written."""
        if type(event) is not ScalarEvent:
            what = "an alias" if isinstance(event, AliasEvent) else "a collection"
            raise self._fail(
                start_of(event), f"mapping keys must be plain strings, not {what}", where
            )
        key: Any
        if event.tag is None and event.implicit[0]:
            key = plain_keys.get(event.value, _DISCARD)
            if key is _DISCARD:
                key = plain_keys[event.value] = scalar(self.file, event, where)
            if key is _MERGE_KEY:
                return key, (*where, key)
        else:
            key = scalar(self.file, event, where)
        path = (*where, key)
        mark: Any = event.start_mark  # always set by the parsers
        if not isinstance(key, str):
            self.issues.append(
                self._issue(mark, f"mapping keys must be strings, got {event.value!r}; quote it")
            )
            return _DISCARD, (*where, _DISCARD)
        if key in entries:
            first = keys[path]
            self.issues.append(
                self._issue(
                    mark,
                    f"duplicate key {key!r}; first given at line {first[0]}, column {first[1]}",
                    path,
                )
            )
            return _DISCARD, (*where, _DISCARD)
        keys[path] = (mark.line + 1, mark.column + 1)
        return key, path

    def _alias(self, event: AliasEvent, path: Path) -> tuple[Any, int]:
        anchored = self.anchors.get(event.anchor or "")
        if anchored is None:
            raise self._fail(start_of(event), f"unknown alias *{event.anchor}", path)
        self.aliases.spend(anchored[1], start_of(event), path)
        return anchored

    def _merge(
        self, entries: dict[str, Any], where: Path, value: Any, location: tuple[int, int]
    ) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(source, dict) for source in sources):
            message = "'<<' merges a mapping or a list of mappings"
            raise YamlSourceError(ConfigIssue(self.file, *location, format_path(where), message))
        merged = self.merged.setdefault(id(entries), {})
        # Earlier sources win over later ones, as in YAML's merge-key spec.
        for source in reversed(sources):
            for key, item in source.items():
                merged[key] = item
                self.keys.setdefault((*where, key), location)
                self.values.setdefault((*where, key), location)
