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


class _Frame:
    """A mapping or sequence being composed, and the size it stands for once aliases expand."""

    __slots__ = ("anchor", "column", "entries", "key", "line", "mapping", "merged", "path", "size")

    def __init__(
        self, path: Path, anchor: str | None, mapping: bool, line: int, column: int
    ) -> None:
        self.path = path
        self.anchor = anchor
        self.mapping = mapping
        self.line, self.column = line, column
        self.entries: Any = {} if mapping else []
        self.merged: dict[str, Any] | None = None
        self.key: str | None = None
        self.size = 1


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


class _Composer:
    """Builds plain data straight from parser events, iteratively (no recursion limit to hit).

    This loop runs once per event, so a 50,000-project file takes it 600,000 times: it is
    written flat, with positions kept as tuples, for that reason.
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
        self.plain_keys: dict[str, Any] = {}
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
        """Compose the document's root node. Each stack frame is a collection being filled."""
        stack: list[_Frame] = []
        values = self.values
        frame: _Frame | None = None
        while True:
            event = get_event()
            mark = event.start_mark
            line, column = mark.line + 1, mark.column + 1
            if frame is None:
                path: Path = ()
            elif not frame.mapping:
                path = (*frame.path, len(frame.entries))
            elif frame.key is not None:
                path = (*frame.path, frame.key)
            elif type(event) is not MappingEndEvent:  # a key
                self._take_key(frame, event)
                continue
            else:
                path = frame.path
            cls = type(event)
            if cls is ScalarEvent:
                value = self._scalar(event, path)
                size = 1
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if len(stack) + (frame is not None) >= MAX_DEPTH:
                    raise self._fail(mark, f"nested deeper than {MAX_DEPTH} levels")
                self._check_tag(event, path)
                values[path] = (line, column)
                if frame is not None:
                    stack.append(frame)
                frame = _Frame(path, event.anchor, cls is MappingStartEvent, line, column)
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                assert frame is not None
                done = frame
                value, size = done.entries, done.size
                if done.merged is not None:
                    value = {**done.merged, **value}
                if done.anchor is not None:
                    self.anchors[done.anchor] = (value, size)
                frame = stack.pop() if stack else None
                if frame is None:
                    return value
                line, column = done.line, done.column
                path = done.path
                mark = _Position(line - 1, column - 1)
            elif cls is AliasEvent:
                value, size = self._alias(event, path)
            else:  # pragma: no cover - the parser guarantees the event order
                raise self._fail(mark, f"unexpected YAML event {event!r}")
            if frame is None:
                values[path] = (line, column)
                return value
            if cls is not MappingEndEvent and cls is not SequenceEndEvent:
                values[path] = (line, column)
            frame.size += size
            if not frame.mapping:
                frame.entries.append(value)
                continue
            key = frame.key
            frame.key = None
            if key is _MERGE_KEY:
                self._merge(frame, value, mark)
            elif key != _DISCARD:
                frame.entries[key] = value

    def _take_key(self, frame: _Frame, event: Event) -> None:
        mark = _mark(event)
        if not isinstance(event, ScalarEvent):
            what = "an alias" if isinstance(event, AliasEvent) else "a collection"
            raise self._fail(mark, f"mapping keys must be plain strings, not {what}", frame.path)
        key: Any
        if event.value == "<<" and event.implicit[0] and event.tag is None:
            frame.key = _MERGE_KEY
            return
        if event.tag is None and event.implicit[0]:
            # The same few plain keys recur in every entry: resolve each spelling once.
            key = self.plain_keys.get(event.value, _DISCARD)
            if key is _DISCARD:
                key = self.plain_keys[event.value] = self._scalar(event, frame.path)
        else:
            key = self._scalar(event, frame.path)
        path = (*frame.path, key)
        if not isinstance(key, str):
            self.issues.append(
                self._issue(mark, f"mapping keys must be strings, got {event.value!r}; quote it")
            )
            frame.key = _DISCARD
        elif key in frame.entries:
            first = self.keys[path]
            self.issues.append(
                self._issue(
                    mark,
                    f"duplicate key {key!r}; first given at line {first[0]}, column {first[1]}",
                    path,
                )
            )
            frame.key = _DISCARD
        else:
            frame.key = key
            self.keys[path] = (mark.line + 1, mark.column + 1)

    def _scalar(self, event: ScalarEvent, path: Path) -> Any:
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0] or (value and value[0] not in _MAYBE_TYPED):
                return value  # quoted, or plain text that no resolver could type
            if value.isascii() and value.isdigit() and (value[0] != "0" or len(value) == 1):
                return int(value)  # a decimal integer (YAML 1.1 reads a leading 0 as octal)
            tag = self._resolver.resolve(ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
        elif tag not in _SCALAR_TAGS:
            raise self._fail(_mark(event), f"tag {_short_tag(tag)} is not allowed here", path)
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
        except (ValueError, KeyError):
            raise self._fail(
                _mark(event), f"{value!r} is not a valid {tag[len(_TAG) :]}", path
            ) from None
        # Timestamps and the rest stay text: a date-like description is meant as words.
        return value

    def _check_tag(self, event: Event, path: Path) -> None:
        tag = getattr(event, "tag", None)
        allowed = (None, "!", _TAG + ("map" if isinstance(event, MappingStartEvent) else "seq"))
        if tag not in allowed:
            raise self._fail(_mark(event), f"tag {_short_tag(tag or '')} is not allowed here", path)

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

    def _merge(self, frame: _Frame, value: Any, mark: Mark) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(source, dict) for source in sources):
            raise self._fail(mark, "'<<' merges a mapping or a list of mappings", frame.path)
        where = (mark.line + 1, mark.column + 1)
        merged = frame.merged if frame.merged is not None else {}
        # Earlier sources win over later ones, as in YAML's merge-key spec.
        for source in reversed(sources):
            for key, item in source.items():
                merged[key] = item
                self.keys.setdefault((*frame.path, key), where)
                self.values.setdefault((*frame.path, key), where)
        frame.merged = merged


@dataclass(frozen=True)
class _Position:
    line: int
    column: int


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
