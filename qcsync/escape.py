"""Making text that came from the API or a config safe for the medium it is printed in.

Project names, descriptions, node names and the service's error messages are attacker-shapeable
(DESIGN.md's hostile-input rule): an ESC or OSC sequence in a name could retitle or clear a
terminal, a CR could overwrite the line before it, a bidi override could reorder what a reviewer
reads, and a backtick, `|` or `</details>` could end a Markdown code span, table cell or block.
Every renderer and every error message goes through these few pure functions.
"""

from __future__ import annotations

import re
from typing import Any, Final

# C0 and C1 controls and DEL; bidi embeddings, overrides and isolates (the "Trojan Source"
# characters); the Unicode line and paragraph separators, which some terminals break lines on.
_UNSAFE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# What json.dumps leaves raw inside strings (it escapes C0 itself; outside strings, JSON text has
# only its own whitespace).
_JSON_RAW: Final = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# ASCII punctuation that can start something inline in GitHub Markdown (HTML, an entity, a
# link, emphasis, a code span, a cell border). An `_` between two letters or digits cannot
# start emphasis, so `max_deletes` stays readable in the raw comment.
_MARKDOWN: Final = re.compile(r"([\\`*~\[\]<>&|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_CODE_UNSAFE: Final = re.compile(r"[`\\<>&|]|^ | $")
_URL_CREDENTIALS: Final = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s]*@")


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """One line of text with every control character shown as an escape (`\\x1b`, `\\n`)."""
    return _UNSAFE.sub(_escaped, text)


def terminal_lines(text: str) -> list[str]:
    """Lines of a message qcsync composed, each made safe with `terminal`."""
    return [terminal(line) for line in text.split("\n")]


def yaml_text(document: str) -> str:
    """YAML that PyYAML wrote with every string holding such a character double-quoted (it
    escapes controls itself but writes bidi and separator characters raw): those written as
    \\u escapes, which in a double-quoted scalar are the same characters."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)


def needs_quoting_in_yaml(text: str) -> bool:
    return _JSON_RAW.search(text) is not None


def json_text(document: str) -> str:
    """JSON text (as `json.dumps(ensure_ascii=False)` writes it) with the controls JSON leaves
    raw (DEL, C1, bidi) written as \\u escapes; they can occur only inside strings, so the
    result is the same JSON value."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)


def markdown_text(text: str) -> str:
    """Inline Markdown (a table cell, a quote) that shows `text` literally: controls escaped as
    in `terminal`, then Markdown punctuation backslash-escaped, so no HTML, link, emphasis,
    code span or cell border can start inside it."""
    return _MARKDOWN.sub(lambda m: "\\" + m.group(0), terminal(text))


def markdown_code(text: str) -> str:
    """`text` as an inline code span when nothing in it could end or escape one (a backtick, a
    backslash before a table's `|`) or be read as markup by a less careful reader (`<`, `&`,
    `|`); otherwise as `markdown_text`. Names that follow QuantConnect's rules are always code."""
    shown = terminal(text)
    if _CODE_UNSAFE.search(shown):
        return markdown_text(text)
    return f"`{shown}`"


def code_fence(body: str) -> str:
    """A backtick fence longer than any run of backticks in `body`, so nothing inside closes it."""
    runs = [len(run) for run in re.findall("`+", body)]
    return "`" * max(3, 1 + max(runs, default=0))


def redact_urls(text: str) -> str:
    """`https://user:password@host/` written as `https://***@host/` wherever it occurs."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)


def has_url_credentials(url: str) -> bool:
    return _URL_CREDENTIALS.search(url) is not None


SECRET_MARK: Final = "***"


def without_secret(document: Any, secret: str) -> Any:
    """`document` (decoded JSON: dicts, lists, strings) with `secret` replaced in every string
    value, in place. An answer may quote the API token (a description an older qcsync wrote
    from `${QC_API_TOKEN}`, a message echoing a request), and whatever the client returns ends
    up in plans, backups and errors. Iterative: an answer's depth must not cost the stack."""
    if not secret:
        return document
    if isinstance(document, str):
        return document.replace(secret, SECRET_MARK)
    pending: list[Any] = [document]
    while pending:
        container = pending.pop()
        items: list[tuple[Any, Any]]
        if isinstance(container, dict):
            items = list(container.items())
        elif isinstance(container, list):
            items = list(enumerate(container))
        else:
            continue
        for key, value in items:
            if isinstance(value, str):
                if secret in value:
                    container[key] = value.replace(secret, SECRET_MARK)
            elif isinstance(value, dict | list):
                pending.append(value)
    return document
