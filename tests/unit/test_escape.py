"""The escaping every renderer and error message uses (issue 10): table-driven cases."""

from __future__ import annotations

import json
import re

import pytest

from qcsync.escape import (
    code_fence,
    json_text,
    markdown_code,
    markdown_text,
    redact_urls,
    terminal,
    terminal_lines,
    without_secret,
)

HOSTILE = [
    "\x1b[2J\x1b[H",  # ESC: clear the screen
    "\x1b]0;pwned\x07",  # OSC: set the window title, ended by BEL
    "\x9b31m",  # the 8-bit CSI
    "done\rOK",  # CR: overwrite the line
    "a\nb",
    "\u202egnp.exe",  # a bidi override
    "x\u2028y",
    "\x7f",
]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Strategies/Momentum", "Strategies/Momentum"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;t\x07", "\\x1b]0;t\\x07"),
        ("a\r\nb\tc", "a\\r\\nb\\tc"),
        ("\x9b1m", "\\x9b1m"),
        ("\x7f", "\\x7f"),
        ("\u202e", "\\u202e"),
        ("\u2028", "\\u2028"),
        ("Ünïcødé — ✓", "Ünïcødé — ✓"),
        ("back\\slash", "back\\slash"),
    ],
)
def test_terminal_shows_every_control_character_as_an_escape(raw: str, shown: str) -> None:
    assert terminal(raw) == shown


@pytest.mark.parametrize("raw", HOSTILE)
def test_nothing_unsafe_survives_terminal_or_markdown(raw: str) -> None:
    unsafe = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
    for escaped in (terminal(raw), markdown_text(raw), markdown_code(raw)):
        assert not unsafe.search(escaped), repr(escaped)


def test_terminal_lines_keeps_the_lines_of_a_composed_message() -> None:
    assert terminal_lines("one \x1b[1m\ntwo") == ["one \\x1b[1m", "two"]


def test_json_text_is_the_same_json_value_without_raw_c1_or_bidi() -> None:
    value = {"name": "a\x9bb\u202ec\x7fd", "n": 1}
    text = json_text(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(text) == value
    assert not re.search("[\x7f-\x9f\u202e]", text)


@pytest.mark.parametrize(
    ("raw", "markdown"),
    [
        ("S/A", "S/A"),
        ("a | b", "a \\| b"),
        ("</details>", "\\</details\\>"),
        ("`x`", "\\`x\\`"),
        ("**bold** [link](http://x) &amp;", "\\*\\*bold\\*\\* \\[link\\](http://x) \\&amp;"),
        ("max_deletes _em_", "max_deletes \\_em\\_"),
        ("back\\slash", "back\\\\slash"),
        ("a\nb", "a\\\\nb"),
    ],
)
def test_markdown_text_escapes_what_could_start_markup(raw: str, markdown: str) -> None:
    assert markdown_text(raw) == markdown


@pytest.mark.parametrize(
    ("raw", "markdown"),
    [
        ("S/A", "`S/A`"),
        ("Strategies/Folder 1/Project-2_x", "`Strategies/Folder 1/Project-2_x`"),
        ("a`b", "a\\`b"),
        ("a|b", "a\\|b"),
        ("a\\|b", "a\\\\\\|b"),
        ("</details>", "\\</details\\>"),
        (" padded", " padded"),
        ("esc\x1b", "esc\\\\x1b"),  # the escape's backslash makes it text
    ],
)
def test_markdown_code_is_a_code_span_only_when_nothing_inside_can_end_it(
    raw: str, markdown: str
) -> None:
    assert markdown_code(raw) == markdown


def test_a_code_fence_is_longer_than_any_run_of_backticks_inside() -> None:
    assert code_fence("plain") == "```"
    assert code_fence("a ```` b") == "`````"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("https://user:s3cret@api.test/v2/", "https://***@api.test/v2/"),
        (
            "see http://tok@127.0.0.1:5/x and https://a:b@c/",
            "see http://***@127.0.0.1:5/x and https://***@c/",
        ),
        ("https://a@b:c@host/p", "https://***@host/p"),
        ("https://www.quantconnect.com/api/v2/", "https://www.quantconnect.com/api/v2/"),
        ("mail me at a@b.c", "mail me at a@b.c"),
    ],
)
def test_credentials_in_urls_are_redacted(text: str, redacted: str) -> None:
    assert redact_urls(text) == redacted


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("a SECRET b", "a *** b"),
        (
            {"d": "SECRETSECRET", "n": 1, "b": True, "x": None},
            {"d": "******", "n": 1, "b": True, "x": None},
        ),
        ([["SECRET"], {"k": ["x SECRET"]}], [["***"], {"k": ["x ***"]}]),
        ({"SECRET": "kept as a key"}, {"SECRET": "kept as a key"}),
        ({"clean": "nothing"}, {"clean": "nothing"}),
    ],
)
def test_without_secret_replaces_the_secret_in_every_string_value(
    document: object, expected: object
) -> None:
    assert without_secret(document, "SECRET") == expected
    assert without_secret("SECRET", "") == "SECRET"  # no token known: nothing to replace


def test_without_secret_walks_any_depth_without_recursion() -> None:
    deep: list[object] = ["SECRET"]
    for _ in range(100_000):
        deep = [deep]
    without_secret(deep, "SECRET")
    inner: object = deep
    while isinstance(inner, list) and isinstance(inner[0], list):
        inner = inner[0]
    assert inner == ["***"]
