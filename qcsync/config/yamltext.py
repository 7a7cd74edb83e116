"""A config file's bytes as YAML text, and the parser's errors in one stable wording.

Refuses what is not UTF-8 text (a NUL byte, an undecodable byte) at its line and column before
any parsing, and words PyYAML's syntax and reader errors for a person (a tab, a control
character), located 1-based.
"""

from __future__ import annotations

from yaml.error import MarkedYAMLError, YAMLError
from yaml.reader import ReaderError

from qcsync.config.located import YamlSourceError
from qcsync.errors import ConfigIssue


def decode(file: str, raw: bytes) -> str:
    """The text of a file's bytes (UTF-8, a BOM allowed); YamlSourceError when it is not."""
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


def yaml_issue(file: str, text: str, error: YAMLError) -> ConfigIssue:
    """The issue for a document PyYAML's pure parser refused."""
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
