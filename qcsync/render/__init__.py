"""Renderings of one Plan: text for terminals and logs, JSON for files and CI, Markdown for PRs.

Each renderer returns a string; printing is the CLI's job. Every rendering marks LIVE projects and
ends with the safety violations it is given (DESIGN.md §3, §4). Everything that came from the API
or a config (names, descriptions, node names, reasons quoting them) goes through `escape` for its
medium: no control character reaches a terminal, nothing ends a Markdown span, cell or block.

Modules: `layout` (what the renderings share: symbols, summary lines, blocks, headings, notes),
`text` (the text plan and `--compact`), `markdown` (the pull-request comment), `jsontext` (the
plan document as text).
"""

from qcsync.render.jsontext import render_json
from qcsync.render.layout import summary_line, symbol
from qcsync.render.markdown import MARKDOWN_LIMIT, render_markdown
from qcsync.render.text import (
    BIG_PLAN,
    FOLDERS_LISTED,
    folder_lines,
    holds_line,
    render_compact,
    render_text,
)

__all__ = [
    "BIG_PLAN",
    "FOLDERS_LISTED",
    "MARKDOWN_LIMIT",
    "folder_lines",
    "holds_line",
    "render_compact",
    "render_json",
    "render_markdown",
    "render_text",
    "summary_line",
    "symbol",
]
