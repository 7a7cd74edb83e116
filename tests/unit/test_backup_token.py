"""Where a backup holds an API token (restorecheck.holding_token): each field named, never the
token itself; nothing found without tokens. Table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from qcsync.restorecheck import holding_token

TOKEN = "a" * 32


@pytest.mark.parametrize(
    ("document", "tokens", "expected"),
    [
        ({"project": {"description": f"x{TOKEN}y"}}, [TOKEN], ["project.description"]),
        ({"files": [{"name": "a.py", "content": TOKEN}]}, [TOKEN], ["files[0].content"]),
        ({"parameters": [{"key": "k", "value": "***"}]}, [TOKEN], []),
        ({"project": {"description": TOKEN}}, [], []),
        ({"nodes": {"active": [[[{"id": TOKEN}]]]}}, [TOKEN], ["nodes.active[0][0][0].id"]),
        ({"x": {TOKEN: 1}}, [TOKEN], ["a key of x"]),
        ({"a": TOKEN, "b": "b" * 32}, [TOKEN, "b" * 32], ["a", "b"]),
    ],
)
def test_each_field_holding_a_token_is_named(
    document: dict[str, Any], tokens: list[str], expected: list[str]
) -> None:
    found = holding_token(document, tokens)
    assert [line.split(" contains")[0] for line in found] == expected
    assert not any(token in line for line in found for token in tokens)
