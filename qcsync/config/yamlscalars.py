"""Typing a YAML scalar safely: the plain types only, never an object built from a tag.

A plain scalar is typed as PyYAML's safe resolvers would (int, float, bool, null; a leading 0
is YAML 1.1 octal), except that timestamps and the rest stay text: a date-like description is
meant as words. An explicit tag must name one of the plain types; any other is refused where
it was written.
"""

from __future__ import annotations

from typing import Any, Final

from yaml.constructor import SafeConstructor
from yaml.events import ScalarEvent
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from qcsync.config.located import Mark, Path, YamlSourceError, issue_at

TAG: Final = "tag:yaml.org,2002:"
MAP_TAG: Final = TAG + "map"
SEQ_TAG: Final = TAG + "seq"
_SCALAR_TAGS: Final = frozenset(TAG + t for t in ("str", "int", "float", "bool", "null"))
# First characters for which PyYAML's implicit resolvers might type a plain scalar; any other
# plain scalar is a string, without running the resolver's regular expressions.
MAYBE_TYPED: Final = frozenset(Resolver.yaml_implicit_resolvers)

_RESOLVER: Final = Resolver()
_CONSTRUCTOR: Final = SafeConstructor()


def start_of(event: Any) -> Mark:
    """Where a parser event starts (the parsers always set it)."""
    mark: Mark | None = event.start_mark
    assert mark is not None
    return mark


def scalar(file: str, event: ScalarEvent, path: Path) -> Any:
    """A scalar's value, whatever its style: tagged, plain (maybe typed) or quoted text."""
    tag = event.tag
    if tag is not None and tag != "!":
        return tagged(file, event, path)
    value = event.value
    if event.implicit[0] and (not value or value[0] in MAYBE_TYPED):
        return plain(file, event, path)
    return value  # quoted, or plain text that no resolver could type


def plain(file: str, event: ScalarEvent, path: Path) -> Any:
    """A plain scalar that PyYAML's resolvers might type (it starts with a digit, a sign,
    a letter of true/false/null/yes/no...)."""
    value = event.value
    if value.isascii() and value.isdigit() and (value[0] != "0" or len(value) == 1):
        return int(value)  # a decimal integer (YAML 1.1 reads a leading 0 as octal)
    tag = _RESOLVER.resolve(ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
    return _construct(file, event, tag, path)


def tagged(file: str, event: ScalarEvent, path: Path) -> Any:
    """A scalar with an explicit tag: one of the plain types, or refused."""
    tag = event.tag
    assert tag is not None
    if tag not in _SCALAR_TAGS:
        raise YamlSourceError(
            issue_at(file, start_of(event), f"tag {short_tag(tag)} is not allowed here", path)
        )
    return _construct(file, event, tag, path)


def _construct(file: str, event: ScalarEvent, tag: str, path: Path) -> Any:
    value = event.value
    node = ScalarNode(tag, value)
    try:
        if tag == TAG + "int":
            return _CONSTRUCTOR.construct_yaml_int(node)
        if tag == TAG + "float":
            return _CONSTRUCTOR.construct_yaml_float(node)
        if tag == TAG + "bool":
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == TAG + "null":
            return None
    except (ValueError, KeyError, IndexError):  # IndexError: an empty `!!int` or `!!float`
        message = f"{value!r} is not a valid {tag[len(TAG) :]}"
        raise YamlSourceError(issue_at(file, start_of(event), message, path)) from None
    # Timestamps and the rest stay text: a date-like description is meant as words.
    return value


def short_tag(tag: str) -> str:
    """`tag:yaml.org,2002:python/object` -> `!!python/object`, as it was likely written."""
    return "!!" + tag[len(TAG) :] if tag.startswith(TAG) else tag
