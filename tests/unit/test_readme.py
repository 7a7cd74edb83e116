"""The README's config reference is generated from the schema and must not drift from it.

`QCSYNC_UPDATE_README=1 python -m pytest tests/unit/test_readme.py` rewrites the section.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

from tests.conftest import REPO

README = REPO / "README.md"
SCHEMA = REPO / "schemas" / "qcsync.schema.json"
START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"


def resolve(node: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """A schema node with its local `$ref` merged in (the node's own keys win)."""
    merged = dict(node)
    while "$ref" in merged:
        ref = merged.pop("$ref")
        target: Any = schema
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        merged = {**target, **merged}
    return merged


def type_of(node: Mapping[str, Any], schema: Mapping[str, Any]) -> str:
    node = resolve(node, schema)
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    for key in ("oneOf", "anyOf"):
        if key in node:
            return " or ".join(type_of(alternative, schema) for alternative in node[key])
    kind = node.get("type", "any")
    if kind == "array":
        return f"list of {type_of(node.get('items', {}), schema)}"
    if kind == "object":
        return "mapping"
    return str(kind)


def rows(node: Mapping[str, Any], schema: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    node = resolve(node, schema)
    required = set(node.get("required", ()))
    for key, child in node.get("properties", {}).items():
        child = resolve(child, schema)
        path = f"{prefix}{key}"
        text = " ".join(str(child.get("description", "")).split()).replace("|", "\\|")
        flag = "yes" if key in required else ""
        yield f"| `{path}` | {type_of(child, schema)} | {flag} | {text} |"
        if child.get("type") == "object" and "properties" in child:
            yield from rows(child, schema, f"{path}.")
        items = resolve(child.get("items", {}), schema)
        if child.get("type") == "array" and "properties" in items:
            yield from rows(items, schema, f"{path}[].")


def reference(schema: Mapping[str, Any]) -> str:
    header = "| key | type | required | meaning |\n| --- | --- | --- | --- |"
    return "\n".join([START, header, *rows(schema, schema), END])


def test_readme_config_reference_matches_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    text = README.read_text(encoding="utf-8")
    section = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    assert section.search(text), "README.md lacks the config reference markers"
    expected = reference(schema)
    if os.environ.get("QCSYNC_UPDATE_README"):
        README.write_text(section.sub(lambda _: expected, text), encoding="utf-8")
        text = README.read_text(encoding="utf-8")
    assert section.search(text).group(0) == expected, (  # type: ignore[union-attr]
        "README's config reference differs from schemas/qcsync.schema.json; "
        "run QCSYNC_UPDATE_README=1 python -m pytest tests/unit/test_readme.py"
    )


def test_every_schema_key_is_documented() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    documented = set(re.findall(r"^\| `([^`]+)` \|", README.read_text(encoding="utf-8"), re.M))
    for expected in (
        "version",
        "scope",
        "limits.max_deletes",
        "projects[].name",
        "projects[].nodes",
    ):
        assert expected in documented
    assert len(documented) == sum(1 for _ in rows(schema, schema))
