"""Safe YAML reading that keeps every value's file, line and column.

This module owns the step from raw bytes to plain data (dict, list, str, int, float, bool, None)
plus a map from each value's path in the document to where it was written. It never builds
Python objects from tags, refuses duplicate keys instead of letting the last one win, and bounds
the work a document can cause: alias expansion and nesting depth are capped, so an alias bomb is
refused in milliseconds rather than expanded.

It knows nothing about qcsync's config format; config.py gives the data its meaning.
It does no I/O: callers pass the bytes in.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import yaml
from yaml.constructor import SafeConstructor
from yaml.error import MarkedYAMLError, YAMLError
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
from yaml.nodes import ScalarNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from qcsync.errors import ConfigIssue
from qcsync.model import Location

# A path inside a document: mapping keys and sequence indexes from the root.
Path = tuple[str | int, ...]

# Aliases may repeat at most this many values in total. Real configs alias a node list or a
# few project settings; an alias bomb needs millions.
MAX_ALIAS_EXPANSION: Final = 100_000
# Nesting depth of collections. A qcsync config is five levels deep; the cap stops documents
# built to exhaust the stack of whatever walks them later.
MAX_DEPTH: Final = 64

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS: Final = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MERGE_TAG: Final = _TAG + "merge"

try:  # libyaml parses about ten times faster; errors are re-read with the pure parser below.
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]


class Mark(Protocol):
    """A parser position (PyYAML's and libyaml's marks both have these, 0-based)."""

    line: int
    column: int


def _mark(event: Event) -> Mark:
    assert event.start_mark is not None  # the parsers always set it
    return event.start_mark


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


def read_document(file: str, raw: bytes) -> Document:
    """Decode and parse one file's bytes into a located Document; raise YamlSourceError."""
    text = _decode(file, raw)
    try:
        return _compose(file, text, _FastLoader)
    except YAMLError:
        # libyaml's messages differ from PyYAML's and by version; the pure parser gives one
        # stable wording. It is slow, but only runs on a file that is already broken.
        try:
            return _compose(file, text, yaml.SafeLoader)
        except YAMLError as error:
            raise YamlSourceError(_yaml_issue(file, text, error)) from None


def _compose(file: str, text: str, loader_class: Any) -> Document:
    loader = loader_class(text)
    try:
        with paused_garbage_collection():
            return _Composer(file, loader).document()
    finally:
        loader.dispose()


@contextlib.contextmanager
def paused_garbage_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that all live on.

    A big config is hundreds of thousands of small objects; the collector would rescan them
    again and again and double the time for nothing. They hold no cycles, so nothing leaks.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            # Everything allocated meanwhile still counts as young: the first allocation after
            # enable() would scan it all (0.1 s for 50,000 projects). freeze() + unfreeze()
            # moves it to the oldest generation without a scan.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _decode(file: str, raw: bytes) -> str:
    nul = raw.find(b"\0")
    if nul >= 0:
        line, column = _position(raw, nul)
        raise YamlSourceError(
            ConfigIssue(file, line, column, "", "binary file (NUL byte); expected UTF-8 YAML text")
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        raise YamlSourceError(
            ConfigIssue(
                file,
                line,
                column,
                "",
                f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be decoded",
            )
        ) from None
    return text


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _yaml_issue(file: str, text: str, error: YAMLError) -> ConfigIssue:
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "invalid YAML"
        if "'\\t'" in problem:
            problem = "tab character; YAML indents with spaces only"
        elif error.context and error.context not in problem:
            problem = f"{problem} ({error.context})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return ConfigIssue(file, line, column, "", f"YAML syntax error: {problem}")
    if isinstance(error, ReaderError):
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        return ConfigIssue(
            file, line, column, "", f"control character #x{error.character:04x} is not allowed"
        )
    return ConfigIssue(file, 1, 1, "", f"YAML error: {error}")  # pragma: no cover


# A key that cannot occur in text (NUL bytes are refused before parsing): its value is composed
# and located apart, then dropped.
_DISCARD: Final = "\0discarded"


class _MergeKey(str):
    """The YAML merge key `<<`, kept apart from a quoted "<<"."""

    __slots__ = ()


_MERGE_KEY: Final = _MergeKey("<<")
# First characters for which PyYAML's implicit resolvers might type a plain scalar; any other
# plain scalar is a string, without running the resolver's regular expressions.
_MAYBE_TYPED: Final = frozenset(Resolver.yaml_implicit_resolvers)
_MAP_TAG: Final = _TAG + "map"
_SEQ_TAG: Final = _TAG + "seq"

# What is kept of a collection's parent while the collection is filled: the parent's entries,
# path, whether it is a mapping and the key the collection will be stored under; then the
# collection's own anchor, position and the count of values composed before it began.
_Parent = tuple[Any, Path, bool, Any, str | None, tuple[int, int], int]


class _Composer:
    """Builds plain data straight from parser events, iteratively (no recursion limit to hit).

    The loop runs once per key/value pair or list item, so a 50,000-project file takes it
    400,000 times: the collection being filled lives in local variables, a key and its value
    are read in one pass, and only values that might not be plain text leave the loop.
    """

    _resolver = Resolver()
    _constructor = SafeConstructor()

    def __init__(self, file: str, loader: Any) -> None:
        self.file = file
        self.loader = loader
        self.values: dict[Path, tuple[int, int]] = {}
        self.keys: dict[Path, tuple[int, int]] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.expanded = 0
        # Each plain key spelling resolved once (the same few recur in every entry); `<<` is
        # the merge key only when plain.
        self.plain_keys: dict[str, Any] = {"<<": _MERGE_KEY}
        # Merged-in entries of the mappings being filled that have a `<<`, by id of the mapping.
        self.merged: dict[int, dict[str, Any]] = {}
        # Problems that do not stop composing (duplicate keys): reported together at the end.
        self.issues: list[ConfigIssue] = []

    def _issue(self, mark: Mark, message: str, path: Path = ()) -> ConfigIssue:
        return ConfigIssue(self.file, mark.line + 1, mark.column + 1, format_path(path), message)

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
                _mark(after), "a second YAML document; a config file holds exactly one"
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
        maybe_typed = _MAYBE_TYPED
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
                        value = self._tagged(event, path)
                    elif event.implicit[0] and (not value or value[0] in maybe_typed):
                        value = self._plain(event, path)
                    count += 1
                    if event.anchor is not None:
                        anchors[event.anchor] = (value, 1)
                    if entries is None:
                        return value
                elif cls is MappingStartEvent or cls is SequenceStartEvent:
                    if len(stack) >= MAX_DEPTH:
                        raise self._fail(mark, f"nested deeper than {MAX_DEPTH} levels")
                    tag = event.tag
                    if (
                        tag is not None
                        and tag != "!"
                        and tag != (_MAP_TAG if cls is MappingStartEvent else _SEQ_TAG)
                    ):
                        raise self._fail(mark, f"tag {_short_tag(tag)} is not allowed here", path)
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
            raise self._fail(_mark(event), f"mapping keys must be plain strings, not {what}", where)
        key: Any
        if event.tag is None and event.implicit[0]:
            key = plain_keys.get(event.value, _DISCARD)
            if key is _DISCARD:
                key = plain_keys[event.value] = self._scalar(event, where)
            if key is _MERGE_KEY:
                return key, (*where, key)
        else:
            key = self._scalar(event, where)
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

    def _scalar(self, event: ScalarEvent, path: Path) -> Any:
        tag = event.tag
        if tag is not None and tag != "!":
            return self._tagged(event, path)
        value = event.value
        if event.implicit[0] and (not value or value[0] in _MAYBE_TYPED):
            return self._plain(event, path)
        return value  # quoted, or plain text that no resolver could type

    def _plain(self, event: ScalarEvent, path: Path) -> Any:
        """A plain scalar that PyYAML's resolvers might type (it starts with a digit, a sign,
        a letter of true/false/null/yes/no...)."""
        value = event.value
        if value.isascii() and value.isdigit() and (value[0] != "0" or len(value) == 1):
            return int(value)  # a decimal integer (YAML 1.1 reads a leading 0 as octal)
        tag = self._resolver.resolve(ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
        return self._construct(event, tag, path)

    def _tagged(self, event: ScalarEvent, path: Path) -> Any:
        """A scalar with an explicit tag: one of the plain types, or refused."""
        tag = event.tag
        assert tag is not None
        if tag not in _SCALAR_TAGS:
            raise self._fail(_mark(event), f"tag {_short_tag(tag)} is not allowed here", path)
        return self._construct(event, tag, path)

    def _construct(self, event: ScalarEvent, tag: str, path: Path) -> Any:
        value = event.value
        node = ScalarNode(tag, value)
        try:
            if tag == _TAG + "int":
                return self._constructor.construct_yaml_int(node)
            if tag == _TAG + "float":
                return self._constructor.construct_yaml_float(node)
            if tag == _TAG + "bool":
                return self._constructor.construct_yaml_bool(node)
            if tag == _TAG + "null":
                return None
        except (ValueError, KeyError, IndexError):  # IndexError: an empty `!!int` or `!!float`
            raise self._fail(
                _mark(event), f"{value!r} is not a valid {tag[len(_TAG) :]}", path
            ) from None
        # Timestamps and the rest stay text: a date-like description is meant as words.
        return value

    def _alias(self, event: AliasEvent, path: Path) -> tuple[Any, int]:
        anchored = self.anchors.get(event.anchor or "")
        if anchored is None:
            raise self._fail(_mark(event), f"unknown alias *{event.anchor}", path)
        self.expanded += anchored[1]
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise self._fail(
                _mark(event),
                f"aliases expand to more than {MAX_ALIAS_EXPANSION} values; refusing the "
                "document (an alias bomb?)",
                path,
            )
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


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def format_path(path: Path) -> str:
    """`('projects', 2, 'language')` -> `projects[2].language`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
