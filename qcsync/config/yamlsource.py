"""Safe YAML reading that keeps every value's file, line and column.

This module owns the step from raw bytes to plain data (dict, list, str, int, float, bool, None)
plus a map from each value's path in the document to where it was written: it picks the parser
and runs the pieces in order. They are
- yamltext: bytes -> text (UTF-8 only) and the parser's errors in one stable wording;
- yamlcompose: parser events -> data, located; duplicate keys refused, merge keys applied;
- yamlscalars: scalars typed as the safe types only, never an object built from a tag;
- yamllimits: alias expansion and nesting depth capped, so an alias bomb is refused in
  milliseconds rather than expanded;
- located: the Document (data and locations), the error and the `FILE:LINE:COL: PATH` issue.

It knows nothing about qcsync's config format; the other config modules give the data its
meaning. It does no I/O: callers pass the bytes in.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.error import YAMLError

from qcsync.config.located import Document, YamlSourceError
from qcsync.config.yamlcompose import Composer
from qcsync.config.yamltext import decode, yaml_issue

try:  # libyaml parses about ten times faster; errors are re-read with the pure parser below.
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]

__all__ = ["Document", "YamlSourceError", "paused_garbage_collection", "read_document"]


def read_document(file: str, raw: bytes) -> Document:
    """Decode and parse one file's bytes into a located Document; raise YamlSourceError."""
    text = decode(file, raw)
    try:
        return _compose(file, text, _FastLoader)
    except YAMLError:
        # libyaml's messages differ from PyYAML's and by version; the pure parser gives one
        # stable wording. It is slow, but only runs on a file that is already broken.
        try:
            return _compose(file, text, yaml.SafeLoader)
        except YAMLError as error:
            raise YamlSourceError(yaml_issue(file, text, error)) from None


def _compose(file: str, text: str, loader_class: Any) -> Document:
    loader = loader_class(text)
    try:
        with paused_garbage_collection():
            return Composer(file, loader).document()
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
