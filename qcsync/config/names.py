"""QuantConnect's name rules for projects, scope/protect patterns and node references
(qc-api.md §7). Pure."""

from __future__ import annotations

import re
from typing import Final

from qcsync.model import AUTO, in_recycle_bin

_NAME_CHARACTERS: Final = re.compile(r"[-_a-zA-Z0-9/ ]*")
# A name that passes every rule of _path_problem, in one regular expression: folders and the
# name are runs of allowed characters that neither start nor end with a space and are no
# reserved device name, joined by single '/'. A name it refuses is checked rule by rule, to say
# which rule it breaks. (A 50,000-project file has 50,000 names to check.)
_PART: Final = (
    r"(?!(?i:CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(?:/|\Z))"  # no device name
    r"[-_a-zA-Z0-9](?:[-_a-zA-Z0-9 ]*[-_a-zA-Z0-9])?"  # no space at either end
)
_PLAINLY_VALID: Final = re.compile(f"{_PART}(?:/{_PART})*")
_RESERVED: Final = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)]
)


def name_problem(name: str) -> str | None:
    """Why `name` is not a valid QuantConnect project name (qc-api.md §7) that qcsync may own,
    or None."""
    if _PLAINLY_VALID.fullmatch(name) is None:
        problem = _path_problem(name, folder=False)
        if problem:
            return problem
    return recycle_bin_problem(name)


def recycle_bin_problem(name: str) -> str | None:
    """Projects in QuantConnect's Recycle Bin belong to nobody (DESIGN.md §1)."""
    if not in_recycle_bin(name):
        return None
    return (
        f"{name!r} is in QuantConnect's Recycle Bin, where deleted projects wait 30 days to be "
        "purged; qcsync never manages them (bring one back with `qcsync restore BACKUP`)"
    )


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is not a scope/protect pattern (a name, or a folder prefix ending in '/')."""
    if pattern in ("", "/"):
        return (
            f"{pattern!r} is not a pattern; write a project name or a folder prefix ending in '/'"
        )
    problem = _path_problem(pattern, folder=pattern.endswith("/"))
    if problem and any(c in pattern for c in "*?[]"):
        problem += " (patterns are exact names or folder prefixes ending in '/'; no globs)"
    return problem or recycle_bin_problem(pattern)


def _path_problem(text: str, *, folder: bool) -> str | None:
    """The first of QuantConnect's name rules that `text` breaks: a project name, or with
    `folder` a folder prefix that ends in '/'."""
    if not text:
        return "must not be empty"
    if _NAME_CHARACTERS.fullmatch(text) is None:
        bad = "".join(dict.fromkeys(c for c in text if _NAME_CHARACTERS.fullmatch(c) is None))
        shown = ", ".join(repr(c) for c in bad)
        return (
            f"{text!r} contains {shown}; QuantConnect names use ASCII letters, digits, spaces, "
            "'-', '_' and '/' between folders"
        )
    if text.startswith("/"):
        return f"{text!r} starts with '/'; a name is a folder path without a leading '/'"
    body = text[:-1] if folder else text
    if body.endswith("/") and not folder:
        return f"{text!r} ends with '/'; a project name cannot end in a folder separator"
    parts = body.split("/")
    for index, part in enumerate(parts):
        what = "folder" if folder or index < len(parts) - 1 else "name"
        if not part:
            return f"{text!r} has an empty folder ('//')"
        if part != part.strip(" "):
            edge = "starts" if part.startswith(" ") else "ends"
            return f"{text!r}: {what} {part!r} {edge} with a space"
        if part.upper() in _RESERVED:
            return f"{text!r}: {what} {part!r} is a reserved Windows device name"
    return None


def node_ref_problem(ref: str) -> str | None:
    """Why `ref` cannot be a node id, name or SKU, or None."""
    if ref != ref.strip():
        return f"node reference {ref!r} has leading or trailing whitespace"
    if not ref.isprintable():
        return f"node reference {ref!r} contains a control character"
    if ref == AUTO:
        return "'auto' cannot be part of a list; write 'nodes: auto' on its own"
    return None
